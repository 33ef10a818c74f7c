using ErrorOr;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using WrkCopilot.Features.Data;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Kernel.Tenancy;

/// <summary>
/// One transaction per request or job: the tenant is set as its first statement (interceptor),
/// the handler's change, audit rows and outbox rows commit together, and the commit happens before
/// the response is sent; <see cref="AppDbContext.AfterCommit"/> work runs right after the commit. Errors roll back. Database races map to 409 here, once.
/// </summary>
public static class UnitOfWork
{
    public static async Task<ErrorOr<T>> RunAsync<T>(AppDbContext db, Func<Task<ErrorOr<T>>> work, CancellationToken ct)
    {
        try
        {
            ErrorOr<T> result;
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                result = await work();
                if (result.IsError)
                {
                    await tx.RollbackAsync(ct);
                    db.DiscardAfterCommit();
                    return result;
                }
                // Once the work is done, a client that went away must not cancel the commit halfway.
                await tx.CommitAsync(CancellationToken.None);
                db.HasCommitted = true;
            }
            await db.RunAfterCommitAsync();
            return result;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.DiscardAfterCommit();
            return AppErrors.ConcurrencyConflict();
        }
        // A unique index, or a deferred exclusion constraint checked at commit (one live version per automation).
        catch (Exception ex) when (PostgresError(ex)?.SqlState is PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ExclusionViolation)
        {
            db.DiscardAfterCommit();
            return AppErrors.Conflict("conflict", "A resource with the same unique values already exists.");
        }
        catch (Exception ex) when (PostgresError(ex)?.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected)
        {
            db.DiscardAfterCommit();
            return AppErrors.ConcurrencyConflict();
        }
    }

    internal static PostgresException? PostgresError(Exception ex) => ex switch
    {
        PostgresException pg => pg,
        DbUpdateException { InnerException: PostgresException pg } => pg,
        _ => null,
    };
}
