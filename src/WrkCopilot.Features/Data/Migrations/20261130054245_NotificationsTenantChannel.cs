using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WrkCopilot.Features.Data.Migrations
{
    /// <summary>
    /// The Slack channel is addressed to a tenant, not a person: its notifications row has no user. The unique index on
    /// (event, recipient, channel) treats NULLs as equal so that row is unique per event too (a retried job never posts twice).
    /// </summary>
    public partial class NotificationsTenantChannel : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notifications_event_id_user_id_channel",
                table: "notifications");

            migrationBuilder.AlterColumn<Guid>(
                name: "user_id",
                table: "notifications",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_event_id_user_id_channel",
                table: "notifications",
                columns: new[] { "event_id", "user_id", "channel" },
                unique: true,
                filter: "event_id IS NOT NULL")
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.Sql("ALTER TABLE notifications ADD CONSTRAINT ck_notifications_recipient CHECK (user_id IS NOT NULL OR channel = 'slack');");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE notifications DROP CONSTRAINT IF EXISTS ck_notifications_recipient;");
            migrationBuilder.Sql("DELETE FROM notifications WHERE user_id IS NULL;");

            migrationBuilder.DropIndex(
                name: "ix_notifications_event_id_user_id_channel",
                table: "notifications");

            migrationBuilder.AlterColumn<Guid>(
                name: "user_id",
                table: "notifications",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_notifications_event_id_user_id_channel",
                table: "notifications",
                columns: new[] { "event_id", "user_id", "channel" },
                unique: true,
                filter: "event_id IS NOT NULL");
        }
    }
}
