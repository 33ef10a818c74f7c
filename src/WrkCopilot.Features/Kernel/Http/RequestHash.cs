using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>
/// The hash that tells an idempotent retry from another request. A multipart body is hashed by its parts (their
/// headers and content), not its bytes: a client retrying an upload picks a new random boundary, and that must still
/// count as the same request. Any other body is hashed as bytes. The body is read to its end (the caller rewinds).
/// </summary>
internal static class RequestHash
{
    public static async Task<string> ComputeAsync(HttpRequest request, CancellationToken ct)
    {
        if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type) &&
            type.MediaType.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase) &&
            HeaderUtilities.RemoveQuotes(type.Boundary).Value is { Length: > 0 } boundary)
        {
            try
            {
                return await MultipartAsync(request.Body, type.MediaType.Value!, boundary, ct);
            }
            catch (Exception ex) when (ex is InvalidDataException ||
                                       (ex is IOException and not BadHttpRequestException && !ct.IsCancellationRequested))
            {
                request.Body.Position = 0; // not well-formed: the endpoint will say so; its bytes identify it
            }
        }
        return await BytesAsync(request.Body, ct);
    }

    private static async Task<string> BytesAsync(Stream body, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task<string> MultipartAsync(Stream body, string mediaType, string boundary, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, mediaType.ToLowerInvariant());
        var reader = new MultipartReader(boundary, body) { BodyLengthLimit = null };
        var buffer = new byte[81920];
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            foreach (var (name, value) in section.Headers!.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
            {
                Append(hash, $"{name.ToLowerInvariant()}:{value}");
            }
            long length = 0;
            using var part = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            int read;
            while ((read = await section.Body.ReadAsync(buffer, ct)) > 0)
            {
                part.AppendData(buffer, 0, read);
                length += read;
            }
            Append(hash, $"{length}:{Convert.ToHexStringLower(part.GetHashAndReset())}");
        }
        // Whatever follows the closing boundary is not part of the request's meaning, but it must still be read (and limited).
        while (await body.ReadAsync(buffer, ct) > 0)
        {
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // Length-prefixed, so that no two different sequences of parts hash alike.
    private static void Append(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        hash.AppendData(BitConverter.GetBytes(bytes.Length));
        hash.AppendData(bytes);
    }
}

/// <summary>A request body that fails like Kestrel's limit (413) once more than <paramref name="limit"/> bytes are read.</summary>
internal sealed class BodyLimitStream(Stream inner, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int read)
    {
        _read += read;
        if (_read > limit)
        {
            throw new BadHttpRequestException($"The request body exceeds {limit:N0} bytes, this endpoint's limit.", StatusCodes.Status413PayloadTooLarge);
        }
        return read;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
