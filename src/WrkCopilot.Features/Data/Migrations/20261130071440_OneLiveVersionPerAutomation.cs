using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WrkCopilot.Features.Data.Migrations
{
    /// <summary>
    /// Never two live versions of one automation (the backstop of launch's per-automation lock). An exclusion constraint
    /// deferred to commit: a launch sets the new version live and the old one archived in one transaction, in any order.
    /// </summary>
    public partial class OneLiveVersionPerAutomation : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                ALTER TABLE automation_versions ADD CONSTRAINT ex_automation_versions_one_live
                    EXCLUDE USING btree (tenant_id WITH =, automation_id WITH =) WHERE (status = 'live')
                    DEFERRABLE INITIALLY DEFERRED;
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE automation_versions DROP CONSTRAINT IF EXISTS ex_automation_versions_one_live;");
        }
    }
}
