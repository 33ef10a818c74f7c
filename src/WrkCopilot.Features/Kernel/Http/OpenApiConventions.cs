using ErrorOr;
using FastEndpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>
/// Makes the OpenAPI document say what endpoints really answer, in one place: every error status an
/// endpoint's summary names (and 400, 429, 500, which any request can meet) is a problem+json response with our <see cref="ProblemBody"/>; a 201 endpoint
/// documents 201 (not 200); an endpoint answering <see cref="Success"/> documents 204 without a body.
/// </summary>
internal static class OpenApiConventions
{
    public static void Apply(EndpointDefinition ep)
    {
        var declared = ep.EndpointSummary?.Responses.Keys.ToList() ?? [];
        var noContent = ep.ResDtoType == typeof(Envelope<Success>);
        var successes = declared.Where(c => c is >= 200 and < 300).DefaultIfEmpty(noContent ? 204 : 200).ToList();
        ep.Description(b =>
        {
            if (noContent || successes is not [200])
            {
                b.ClearDefaultProduces(200);
                foreach (var status in successes)
                {
                    if (noContent || status == 204)
                    {
                        b.Produces(status);
                    }
                    else
                    {
                        b.Produces(status, ep.ResDtoType, "application/json");
                    }
                }
            }
            // Any request can be malformed or rate limited, and meet an unexpected failure (500 with its request_id).
            foreach (var status in declared.Where(c => c >= 400).Append(400).Append(429).Append(500).Distinct())
            {
                b.Produces(status, typeof(ProblemBody), Problem.ContentType);
            }
        }, clearDefaults: false);
    }
}
