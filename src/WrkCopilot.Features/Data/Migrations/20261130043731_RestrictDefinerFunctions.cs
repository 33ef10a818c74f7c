using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WrkCopilot.Features.Data.Migrations
{
    /// <summary>
    /// The SECURITY DEFINER lookups bypass RLS by design, so only the app role may call them: PostgreSQL grants
    /// EXECUTE to PUBLIC by default. The migrator grants EXECUTE to the app role after every migration.
    /// </summary>
    public partial class RestrictDefinerFunctions : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                REVOKE ALL ON FUNCTION app_user_memberships(uuid) FROM PUBLIC;
                REVOKE ALL ON FUNCTION app_resource_tenant(text, uuid) FROM PUBLIC;
                REVOKE ALL ON FUNCTION app_workflow_binding(text) FROM PUBLIC;
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                GRANT EXECUTE ON FUNCTION app_user_memberships(uuid) TO PUBLIC;
                GRANT EXECUTE ON FUNCTION app_resource_tenant(text, uuid) TO PUBLIC;
                GRANT EXECUTE ON FUNCTION app_workflow_binding(text) TO PUBLIC;
                """);
        }
    }
}
