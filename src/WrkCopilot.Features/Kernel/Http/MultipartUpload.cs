using NJsonSchema;
using NSwag;
using NSwag.Generation.AspNetCore;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>
/// Endpoint metadata: besides its JSON body, the endpoint takes multipart/form-data with files in parts named
/// <paramref name="FieldName"/>, read by the handler itself (never bound to the request type): at most <paramref name="MaxFiles"/>
/// files of at most <paramref name="MaxFileBytes"/> each (the handler's own limits, stated here for the document).
/// </summary>
public sealed record MultipartUpload(string FieldName, int MaxFiles, long MaxFileBytes);

/// <summary>
/// Documents a <see cref="MultipartUpload"/> endpoint's multipart body as what it is (a list of binary files), instead of
/// the JSON request type, so that generated clients upload files.
/// </summary>
internal sealed class MultipartUploadOperationProcessor : IOperationProcessor
{
    public bool Process(OperationProcessorContext context)
    {
        if (context is AspNetCoreOperationProcessorContext aspNet &&
            aspNet.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<MultipartUpload>().FirstOrDefault() is { } upload &&
            context.OperationDescription.Operation.RequestBody is { } body)
        {
            var form = new JsonSchema { Type = JsonObjectType.Object };
            form.RequiredProperties.Add(upload.FieldName);
            form.Properties[upload.FieldName] = new JsonSchemaProperty
            {
                Type = JsonObjectType.Array,
                MaxItems = upload.MaxFiles,
                Item = new JsonSchema { Type = JsonObjectType.String, Format = "binary", MaxLength = (int)Math.Min(upload.MaxFileBytes, int.MaxValue) },
            };
            body.Content["multipart/form-data"] = new OpenApiMediaType { Schema = form };
        }
        return true;
    }
}
