using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WrkCopilot.Features.Data.Migrations
{
    /// <inheritdoc />
    public partial class OneLiveVersionPerAutomation : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ux_automation_versions_one_live",
                table: "automation_versions",
                columns: new[] { "tenant_id", "automation_id" },
                unique: true,
                filter: "status = 'live'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ux_automation_versions_one_live",
                table: "automation_versions");
        }
    }
}
