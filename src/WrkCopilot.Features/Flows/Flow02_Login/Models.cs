namespace WrkCopilot.Features.Flows.Flow02_Login;

public sealed class LoginRequest
{
    public string Email { get; set; } = "";
    public string Password { get; set; } = "";
}

public sealed class RefreshRequest
{
    public string RefreshToken { get; set; } = "";
}

public sealed class LogoutRequest
{
    /// <summary>Optional: also ends the family of this refresh token (e.g. a second device of the same user).</summary>
    public string? RefreshToken { get; set; }
}

public sealed class PasswordResetRequest
{
    public string Email { get; set; } = "";
}

public sealed class PasswordResetConfirmRequest
{
    public string Token { get; set; } = "";
    public string Password { get; set; } = "";
}

/// <summary>The same answer whether or not the email belongs to an account.</summary>
public sealed record PasswordResetAccepted(string Status);

internal static class AuthErrorCodes
{
    public const string InvalidCredentials = "invalid_credentials";
    public const string TooManyLoginAttempts = "too_many_login_attempts";
    public const string InvalidRefreshToken = "invalid_refresh_token";
    public const string RefreshTokenExpired = "refresh_token_expired";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string ResetTokenInvalid = "reset_token_invalid";
}
