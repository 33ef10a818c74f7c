using System;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace WrkCopilot.Features.Data.Migrations
{
    /// <summary>
    /// The event stream's table (ADR 9): tenant-scoped with RLS like every tenant table, and a SECURITY DEFINER
    /// clean-up, since the app role sees no rows without a tenant and retention spans all tenants.
    /// </summary>
    public partial class OpsStreamEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "stream_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    visibility = table.Column<string>(type: "text", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    data = table.Column<JsonDocument>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_stream_events", x => x.id);
                    table.CheckConstraint("ck_stream_events_visibility", "visibility IN ('client','staff')");
                    table.ForeignKey(
                        name: "fk_stream_events_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_stream_events_created_at",
                table: "stream_events",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_stream_events_tenant_id_id",
                table: "stream_events",
                columns: new[] { "tenant_id", "id" });

            // Same two policies as every tenant table (the tenancy wall test holds all of them to it).
            migrationBuilder.Sql("""
                ALTER TABLE stream_events ENABLE ROW LEVEL SECURITY;
                CREATE POLICY tenant_isolation ON stream_events
                    USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
                    WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid);
                CREATE POLICY staff_read ON stream_events FOR SELECT
                    USING (current_setting('app.staff_read', true) = 'on');

                CREATE FUNCTION app_prune_stream_events(p_cutoff timestamptz)
                RETURNS integer
                LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
                DECLARE deleted integer;
                BEGIN
                    DELETE FROM stream_events WHERE created_at < p_cutoff;
                    GET DIAGNOSTICS deleted = ROW_COUNT;
                    RETURN deleted;
                END $$;
                REVOKE ALL ON FUNCTION app_prune_stream_events(timestamptz) FROM PUBLIC;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS app_prune_stream_events(timestamptz);");
            migrationBuilder.DropTable(
                name: "stream_events");
        }
    }
}
