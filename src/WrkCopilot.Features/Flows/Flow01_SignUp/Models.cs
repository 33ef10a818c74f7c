namespace WrkCopilot.Features.Flows.Flow01_SignUp;

public sealed class SignUpRequest
{
    public string Email { get; set; } = "";
    public string Password { get; set; } = "";
    public string Name { get; set; } = "";
    public string WorkspaceName { get; set; } = "";
}
