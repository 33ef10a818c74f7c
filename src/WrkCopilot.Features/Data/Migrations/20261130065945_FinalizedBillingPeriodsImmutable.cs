using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WrkCopilot.Features.Data.Migrations
{
    /// <summary>
    /// A finalised billing period is an invoice: no UPDATE or DELETE may change it, whoever runs it (the app code never does;
    /// this is the second wall, like audit_logs').
    /// </summary>
    public partial class FinalizedBillingPeriodsImmutable : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE FUNCTION billing_periods_finalized_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD.status = 'finalized' THEN
                        RAISE EXCEPTION 'billing period % is finalized and cannot change', OLD.id USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF TG_OP = 'DELETE' THEN
                        RETURN OLD;
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER billing_periods_finalized_no_change BEFORE UPDATE OR DELETE ON billing_periods
                    FOR EACH ROW EXECUTE FUNCTION billing_periods_finalized_immutable();
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS billing_periods_finalized_no_change ON billing_periods;
                DROP FUNCTION IF EXISTS billing_periods_finalized_immutable();
                """);
        }
    }
}
