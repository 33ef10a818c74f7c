using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WrkCopilot.Features.Data.Migrations
{
    /// <inheritdoc />
    public partial class PlatformOperationLease : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "platform_op_id",
                table: "automations",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "platform_op_until",
                table: "automations",
                type: "timestamp with time zone",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "platform_op_id",
                table: "automations");

            migrationBuilder.DropColumn(
                name: "platform_op_until",
                table: "automations");
        }
    }
}
