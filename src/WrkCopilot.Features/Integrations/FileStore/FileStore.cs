using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Data.Entities;

namespace WrkCopilot.Features.Integrations.FileStore;

/// <summary>A stored file's bytes and type, as read back by a worker.</summary>
internal sealed record StoredContent(string ContentType, Stream Content);

/// <summary>
/// Where uploaded files live. The default keeps them in PostgreSQL (<c>stored_files</c>) in the caller's unit of work,
/// so the file and the row that names it commit together and any instance's worker can read it; an object store
/// can replace it behind this interface.
/// </summary>
internal interface IFileStore
{
    /// <summary>Stores <paramref name="content"/> for <paramref name="tenantId"/> and returns its id (committed with the unit of work).</summary>
    Task<Guid> SaveAsync(Guid tenantId, string contentType, Stream content, CancellationToken ct);

    /// <summary>The file, or null when it does not exist in the current tenant.</summary>
    Task<StoredContent?> OpenAsync(Guid id, CancellationToken ct);
}

/// <summary>The default store: a <c>stored_files</c> row (bytea), written through the scoped <see cref="AppDbContext"/>.</summary>
internal sealed class PostgresFileStore(AppDbContext db, TimeProvider clock) : IFileStore
{
    public async Task<Guid> SaveAsync(Guid tenantId, string contentType, Stream content, CancellationToken ct)
    {
        byte[] bytes;
        if (content is MemoryStream ms && ms.Position == 0 && ms.TryGetBuffer(out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length)
        {
            bytes = segment.Array; // already exactly the content: no second copy of a 20 MB upload
        }
        else
        {
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy, ct);
            bytes = copy.ToArray();
        }
        var file = new StoredFile
        {
            Id = Guid.CreateVersion7(), TenantId = tenantId, ContentType = contentType, Content = bytes, CreatedAt = clock.GetUtcNow(),
        };
        db.StoredFiles.Add(file);
        return file.Id;
    }

    public async Task<StoredContent?> OpenAsync(Guid id, CancellationToken ct)
    {
        var file = await db.StoredFiles.AsNoTracking().Where(f => f.Id == id)
            .Select(f => new { f.ContentType, f.Content }).FirstOrDefaultAsync(ct);
        return file is null ? null : new StoredContent(file.ContentType, new MemoryStream(file.Content, writable: false));
    }
}
