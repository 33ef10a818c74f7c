using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WrkCopilot.Features.Data.Migrations
{
    /// <summary>
    /// Flow 28: every insert or update of a run event writes its usage delta (per version and UTC day of <c>started_at</c>) into
    /// <c>run_event_changes</c> in the same transaction, by trigger, so no writer can forget it. The usage worker drains the
    /// deltas in batches (<c>FOR UPDATE SKIP LOCKED</c>) into <c>usage_aggregates</c>; a delta is deleted in the transaction that
    /// applies it, so each is counted exactly once however late its event commits. Two SECURITY DEFINER lookups list only the
    /// tenant ids the workers must visit.
    /// </summary>
    public partial class UsageRunEventChanges : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE TABLE run_event_changes (
                    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE RESTRICT,
                    automation_version_id uuid NOT NULL,
                    day date NOT NULL,
                    run_delta integer NOT NULL,
                    success_delta integer NOT NULL,
                    failure_delta integer NOT NULL,
                    cost_delta numeric(14,4) NOT NULL,
                    changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
                );
                CREATE INDEX ix_run_event_changes_tenant_id_id ON run_event_changes (tenant_id, id);

                ALTER TABLE run_event_changes ENABLE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON run_event_changes
                    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
                    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
                CREATE POLICY staff_read ON run_event_changes FOR SELECT
                    USING (current_setting('app.staff_read', true) = 'on');

                CREATE FUNCTION run_events_usage_delta() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        IF OLD.status = NEW.status AND OLD.cost IS NOT DISTINCT FROM NEW.cost AND OLD.started_at = NEW.started_at
                           AND OLD.automation_version_id = NEW.automation_version_id THEN
                            RETURN NULL;
                        END IF;
                        INSERT INTO run_event_changes (tenant_id, automation_version_id, day, run_delta, success_delta, failure_delta, cost_delta)
                        VALUES (OLD.tenant_id, OLD.automation_version_id, (OLD.started_at AT TIME ZONE 'UTC')::date, -1,
                                -(OLD.status = 'succeeded')::int, -(OLD.status = 'failed')::int, -COALESCE(OLD.cost, 0));
                    END IF;
                    INSERT INTO run_event_changes (tenant_id, automation_version_id, day, run_delta, success_delta, failure_delta, cost_delta)
                    VALUES (NEW.tenant_id, NEW.automation_version_id, (NEW.started_at AT TIME ZONE 'UTC')::date, 1,
                            (NEW.status = 'succeeded')::int, (NEW.status = 'failed')::int, COALESCE(NEW.cost, 0));
                    RETURN NULL;
                END $$;
                CREATE TRIGGER run_events_usage_delta AFTER INSERT OR UPDATE ON run_events
                    FOR EACH ROW EXECUTE FUNCTION run_events_usage_delta();

                CREATE FUNCTION app_usage_pending_tenants()
                RETURNS TABLE (tenant_id uuid, oldest_change timestamptz)
                LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
                    SELECT c.tenant_id, min(c.changed_at) FROM run_event_changes c GROUP BY c.tenant_id ORDER BY 2
                $$;
                CREATE FUNCTION app_alert_threshold_tenants()
                RETURNS TABLE (tenant_id uuid)
                LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
                    SELECT t.tenant_id FROM alert_thresholds t ORDER BY t.tenant_id
                $$;
                REVOKE ALL ON FUNCTION app_usage_pending_tenants() FROM PUBLIC;
                REVOKE ALL ON FUNCTION app_alert_threshold_tenants() FROM PUBLIC;

                -- Run events stored before this migration had no aggregation: queue them once.
                INSERT INTO run_event_changes (tenant_id, automation_version_id, day, run_delta, success_delta, failure_delta, cost_delta)
                SELECT tenant_id, automation_version_id, (started_at AT TIME ZONE 'UTC')::date, 1, (status = 'succeeded')::int,
                       (status = 'failed')::int, COALESCE(cost, 0)
                FROM run_events;
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP FUNCTION IF EXISTS app_alert_threshold_tenants();
                DROP FUNCTION IF EXISTS app_usage_pending_tenants();
                DROP TRIGGER IF EXISTS run_events_usage_delta ON run_events;
                DROP FUNCTION IF EXISTS run_events_usage_delta();
                DROP TABLE IF EXISTS run_event_changes;
                """);
        }
    }
}
