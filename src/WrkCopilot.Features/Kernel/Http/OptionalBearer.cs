namespace WrkCopilot.Features.Kernel.Http;

/// <summary>
/// Endpoint metadata: open to anonymous callers, but a bearer token changes what it does (e.g. invitation acceptance).
/// Documented as "no auth, or a JWT" by <see cref="OpenApiAccessOperationProcessor"/>.
/// </summary>
public sealed class OptionalBearer;
