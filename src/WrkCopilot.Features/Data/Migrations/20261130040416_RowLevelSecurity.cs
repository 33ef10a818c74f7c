using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WrkCopilot.Features.Data.Migrations
{
    /// <summary>
    /// The second tenancy wall: RLS on every tenant-scoped table, the SECURITY DEFINER lookups that
    /// must start without a tenant, and the append-only audit log.
    /// </summary>
    public partial class RowLevelSecurity : Migration
    {
        internal static readonly string[] TenantTables =
        [
            "memberships", "automations", "automation_versions", "requirement_artifacts", "stored_files", "projects",
            "workflow_bindings", "run_events", "usage_aggregates", "credential_refs", "alert_thresholds", "alerts",
            "quotes", "pricing_overrides", "billing_periods", "clients", "messages", "tasks", "audit_logs", "notifications",
        ];

        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var table in TenantTables)
            {
                migrationBuilder.Sql($"""
                    ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
                    CREATE POLICY tenant_isolation ON {table}
                        USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
                        WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
                    CREATE POLICY staff_read ON {table} FOR SELECT
                        USING (current_setting('app.staff_read', true) = 'on');
                    """);
            }

            // Flow 5 / login: a user's memberships across tenants (ids, names, roles only).
            migrationBuilder.Sql("""
                CREATE FUNCTION app_user_memberships(p_user_id uuid)
                RETURNS TABLE (tenant_id uuid, tenant_name text, tenant_kind text, roles text[], created_at timestamptz)
                LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
                    SELECT m.tenant_id, t.name::text, t.kind::text, m.roles, m.created_at
                    FROM memberships m JOIN tenants t ON t.id = m.tenant_id
                    WHERE m.user_id = p_user_id
                    ORDER BY m.created_at, m.tenant_id
                $$;
                """);

            // Staff on a client resource: resource id → its tenant (whitelisted tables only).
            migrationBuilder.Sql("""
                CREATE FUNCTION app_resource_tenant(p_table text, p_id uuid)
                RETURNS uuid
                LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
                DECLARE result uuid;
                BEGIN
                    IF p_table NOT IN ('automations','automation_versions','projects','quotes','clients','tasks','messages',
                                       'billing_periods','alerts','requirement_artifacts','workflow_bindings') THEN
                        RAISE EXCEPTION 'app_resource_tenant: table % is not resolvable', p_table;
                    END IF;
                    EXECUTE format('SELECT tenant_id FROM %I WHERE id = $1', p_table) INTO result USING p_id;
                    RETURN result;
                END $$;
                """);

            // Flow 27: the webhook resolves workflow_id → (tenant, binding, version) before any tenant is set.
            migrationBuilder.Sql("""
                CREATE FUNCTION app_workflow_binding(p_workflow_id text)
                RETURNS TABLE (tenant_id uuid, binding_id uuid, automation_version_id uuid)
                LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
                    SELECT b.tenant_id, b.id, b.automation_version_id FROM workflow_bindings b WHERE b.wrk_workflow_id = p_workflow_id
                $$;
                """);

            // Audit rows are append-only for everyone, owner included (the app role also lacks the grants).
            migrationBuilder.Sql("""
                CREATE FUNCTION audit_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'audit_logs is append-only' USING ERRCODE = 'insufficient_privilege';
                END $$;
                CREATE TRIGGER audit_logs_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_logs
                    FOR EACH ROW EXECUTE FUNCTION audit_logs_append_only();
                CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_logs_append_only();
                """);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER IF EXISTS audit_logs_no_truncate ON audit_logs;
                DROP TRIGGER IF EXISTS audit_logs_no_update_or_delete ON audit_logs;
                DROP FUNCTION IF EXISTS audit_logs_append_only();
                DROP FUNCTION IF EXISTS app_workflow_binding(text);
                DROP FUNCTION IF EXISTS app_resource_tenant(text, uuid);
                DROP FUNCTION IF EXISTS app_user_memberships(uuid);
                """);
            foreach (var table in TenantTables)
            {
                migrationBuilder.Sql($"""
                    DROP POLICY IF EXISTS staff_read ON {table};
                    DROP POLICY IF EXISTS tenant_isolation ON {table};
                    ALTER TABLE {table} DISABLE ROW LEVEL SECURITY;
                    """);
            }
        }
    }
}
