using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WrkCopilot.Features.Kernel;
using WrkCopilot.Features.Kernel.Blueprints;

namespace WrkCopilot.Features.Integrations.Requirements;

/// <summary>
/// Configuration section <c>Llm</c>: an OpenAI-compatible chat-completions service. Without <see cref="BaseUrl"/> the
/// offline extractor is used for every tenant.
/// </summary>
internal sealed class LlmOptions
{
    public const string Section = "Llm";

    /// <summary>E.g. <c>https://api.openai.com/v1</c>; <c>/chat/completions</c> is appended.</summary>
    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }

    public string Model { get; set; } = "gpt-4o-mini";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Requirements text beyond this many characters is cut before it is sent (bounds the prompt and its cost).</summary>
    public int MaxInputCharacters { get; set; } = 100_000;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(BaseUrl);
}

/// <summary>
/// Asks the configured LLM for the canonical blueprint JSON (<c>response_format: json_object</c>), validates the answer
/// with <see cref="BlueprintSchema"/> like any PUT, and when it is invalid asks once more with the validation errors
/// appended to the conversation. A timeout, a 429 or a 5xx is transient (<see cref="ExtractorUnavailableException"/>);
/// another 4xx or a second invalid answer is a failure that retrying the same input will not fix.
/// </summary>
internal sealed class LlmRequirementsExtractor(HttpClient http, IOptions<LlmOptions> options, ILogger<LlmRequirementsExtractor> logger)
    : IRequirementsExtractor
{
    public const string ExtractorName = "llm";
    public const string ChatPath = "chat/completions";

    public string Name => ExtractorName;

    internal static readonly string SystemPrompt =
        $$"""
        You turn business-process requirements into an automation blueprint. Answer with ONE JSON object and nothing else:
        {
          "schema_version": 1,
          "summary": "one sentence describing the automation",
          "sections": [
            { "id": "sec_1", "title": "Intake",
              "steps": [
                { "id": "st_1", "type": "trigger", "title": "New lead in Salesforce", "system": "salesforce",
                  "description": "optional detail", "inputs": [], "outputs": ["lead"], "next": ["st_2"] },
                { "id": "st_2", "type": "decision", "title": "Lead score at least 50?", "next": ["st_3", "st_4"] }
              ] }
          ],
          "metadata": {}
        }
        Rules:
        - Top-level fields are exactly schema_version (always 1), summary, sections, metadata. No other fields anywhere:
          a section has only id, title, steps (and optional metadata); a step only id, type, title, system, description,
          inputs, outputs, next, loop, metadata.
        - Step type is one of: {{string.Join(", ", BlueprintSchema.StepTypes)}}. The first step is usually the trigger.
        - Ids (sections and steps) are non-empty strings, unique across the whole document.
        - next lists the ids of the steps that follow; every id in next must be an existing step id.
        - A decision step has at least 2 entries in next (one per branch).
        - No cycles, unless one step of the cycle has "loop": true.
        - system is the product the step uses, lowercase with underscores (salesforce, google_sheets), or omitted.
        - Titles at most {{BlueprintSchema.MaxTitleLength}} characters; at most {{BlueprintSchema.MaxSteps}} steps.
        - Describe only what the requirements say; do not invent systems.
        """;

    public async Task<ExtractionResult> ExtractAsync(string text, CancellationToken ct)
    {
        var o = options.Value;
        if (text.Length > o.MaxInputCharacters)
        {
            text = TextLimits.Shorten(text, o.MaxInputCharacters);
        }
        var messages = new JsonArray
        {
            new JsonObject { ["role"] = "system", ["content"] = SystemPrompt },
            new JsonObject { ["role"] = "user", ["content"] = "Requirements:\n\n" + text },
        };
        IReadOnlyList<BlueprintProblem> problems = [];
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var answer = await AskAsync(messages, o, ct);
            var (doc, found) = answer is null
                ? (null, [new BlueprintProblem("$", "The answer was not a chat completion with a message.")])
                : BlueprintSchema.Parse(StripFences(answer));
            if (doc is not null)
            {
                return ExtractionResult.Success(doc);
            }
            problems = found;
            logger.LogInformation("LLM blueprint answer {Attempt} was invalid ({Count} problems)", attempt, problems.Count);
            messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = answer ?? "" });
            messages.Add(new JsonObject
            {
                ["role"] = "user",
                ["content"] = "That is not a valid blueprint. Fix these problems (JSON path: problem) and answer with the whole corrected JSON document only:\n" +
                              string.Join('\n', problems.Select(p => $"- {p.Path}: {p.Message}")),
            });
        }
        return ExtractionResult.Failed(TextLimits.Shorten(
            "The LLM answered an invalid blueprint twice: " + string.Join("; ", problems.Take(10).Select(p => $"{p.Path}: {p.Message}")), 2000));
    }

    /// <summary>The assistant message's content, or null when the answer is not a chat completion.</summary>
    private async Task<string?> AskAsync(JsonArray messages, LlmOptions o, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["model"] = o.Model,
            ["temperature"] = 0,
            ["response_format"] = new JsonObject { ["type"] = "json_object" },
            ["messages"] = messages.DeepClone(),
        };
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync(ChatPath, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"), ct);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new ExtractorUnavailableException($"The LLM did not answer within {o.Timeout.TotalSeconds:0.#} s.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ExtractorUnavailableException($"The LLM could not be reached: {ex.Message}", ex);
        }
        using (response)
        {
            if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throw new ExtractorUnavailableException($"The LLM answered {(int)response.StatusCode}.");
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new LlmRefusedException($"The LLM refused the request with {(int)response.StatusCode}; check Llm:BaseUrl, Llm:ApiKey and Llm:Model.");
            }
            try
            {
                var json = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
                return json.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array &&
                       choices.GetArrayLength() > 0 && choices[0].TryGetProperty("message", out var message) &&
                       message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
                    ? content.GetString()
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
            catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
            {
                throw new ExtractorUnavailableException($"The LLM did not finish its answer within {o.Timeout.TotalSeconds:0.#} s.", ex);
            }
        }
    }

    // Some compatible servers wrap the JSON in a markdown fence despite json_object mode.
    private static string StripFences(string answer)
    {
        var s = answer.Trim();
        if (s.StartsWith("```", StringComparison.Ordinal))
        {
            var firstLine = s.IndexOf('\n');
            var end = s.LastIndexOf("```", StringComparison.Ordinal);
            if (firstLine > 0 && end > firstLine)
            {
                return s[(firstLine + 1)..end];
            }
        }
        return s;
    }
}

/// <summary>The LLM refused the request (a 4xx other than 429): a configuration problem, not fixed by retrying soon.</summary>
internal sealed class LlmRefusedException(string message) : Exception(message);
