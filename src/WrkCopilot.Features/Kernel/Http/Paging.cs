using System.Buffers.Text;
using System.Linq.Expressions;
using System.Text;
using ErrorOr;
using FastEndpoints;
using FluentValidation;
using Microsoft.EntityFrameworkCore;
using WrkCopilot.Features.Kernel.Errors;

namespace WrkCopilot.Features.Kernel.Http;

/// <summary>Query parameters every list takes. <c>limit</c>: default 50, max 200; <c>cursor</c>: opaque.</summary>
public class PageQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    [QueryParam]
    public int? Limit { get; set; }

    [QueryParam]
    public string? Cursor { get; set; }

    public int EffectiveLimit => Limit ?? DefaultLimit;
}

public sealed class PageQueryRules : AbstractValidator<PageQuery>
{
    public PageQueryRules()
    {
        RuleFor(x => x.Limit).InclusiveBetween(1, PageQuery.MaxLimit).When(x => x.Limit.HasValue);
        RuleFor(x => x.Cursor).Must(c => Cursor.TryDecode(c!, out _)).When(x => x.Cursor is not null)
            .WithMessage("The cursor is not one this API issued.");
    }
}

/// <summary>Keyset position (created_at, id), base64url-encoded so clients treat it as opaque.</summary>
public readonly record struct Cursor(DateTimeOffset CreatedAt, Guid Id)
{
    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{CreatedAt.UtcTicks}:{Id:N}"));

    public static bool TryDecode(string value, out Cursor cursor)
    {
        cursor = default;
        if (string.IsNullOrEmpty(value) || value.Length > 128)
        {
            return false;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(value));
            var parts = text.Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], out var ticks) && ticks > 0 &&
                ticks < DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id))
            {
                cursor = new Cursor(new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
        }
        return false;
    }
}

public static class PagingExtensions
{
    /// <summary>
    /// Newest first, keyset on (created_at, id). Reads limit + 1 rows to know whether a next page exists.
    /// </summary>
    public static async Task<ErrorOr<Page<TOut>>> ToPageAsync<T, TOut>(this IQueryable<T> query, PageQuery page,
        Expression<Func<T, DateTimeOffset>> createdAt, Expression<Func<T, Guid>> id,
        Func<T, TOut> map, CancellationToken ct)
    {
        var limit = page.EffectiveLimit;
        if (page.Cursor is not null)
        {
            if (!Cursor.TryDecode(page.Cursor, out var c))
            {
                return AppErrors.Validation("$.cursor", "The cursor is not one this API issued.");
            }
            query = query.Where(KeysetBefore(createdAt, id, c));
        }
        var rows = await query.OrderByDescending(createdAt).ThenByDescending(id).Take(limit + 1).ToListAsync(ct);
        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(limit);
            var last = rows[^1];
            next = new Cursor(Compiled(createdAt)(last), Compiled(id)(last)).Encode();
        }
        return new Page<TOut>(rows.Select(map).ToList(), next, limit);
    }

    // Compiling an expression costs far more than the page query it follows; the key selectors are a handful of shapes.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Expression, Delegate> CompiledKeys =
        new(Microsoft.EntityFrameworkCore.Query.ExpressionEqualityComparer.Instance);

    private static Func<T, TKey> Compiled<T, TKey>(Expression<Func<T, TKey>> key) =>
        // Only a plain member of the row is cached: a selector capturing variables would be a new key on every call.
        key.Body is MemberExpression { Expression: ParameterExpression }
            ? (Func<T, TKey>)CompiledKeys.GetOrAdd(key, k => ((Expression<Func<T, TKey>>)k).Compile())
            : key.Compile();

    private static Expression<Func<T, bool>> KeysetBefore<T>(Expression<Func<T, DateTimeOffset>> createdAt,
        Expression<Func<T, Guid>> id, Cursor c)
    {
        // created_at < c.CreatedAt OR (created_at = c.CreatedAt AND id < c.Id)
        var p = Expression.Parameter(typeof(T), "x");
        var created = new ParameterReplacer(createdAt.Parameters[0], p).Visit(createdAt.Body);
        var idBody = new ParameterReplacer(id.Parameters[0], p).Visit(id.Body);
        var cAt = Expression.Constant(c.CreatedAt);
        var cId = Expression.Constant(c.Id, typeof(Guid));
        var body = Expression.OrElse(
            Expression.LessThan(created, cAt),
            Expression.AndAlso(Expression.Equal(created, cAt),
                Expression.LessThan(Expression.Call(idBody, nameof(Guid.CompareTo), null, cId), Expression.Constant(0))));
        return Expression.Lambda<Func<T, bool>>(body, p);
    }

    private sealed class ParameterReplacer(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
