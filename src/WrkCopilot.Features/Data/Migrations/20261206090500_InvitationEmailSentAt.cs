using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WrkCopilot.Features.Data.Migrations
{
    /// <summary>
    /// The invitation email is claimed on its invitation before it is sent (as ADR 0011 does for notifications), so a job
    /// whose completion mark was lost, run again, never mails the invitation twice.
    /// </summary>
    [DbContext(typeof(AppDbContext))]
    [Migration("20261206090500_InvitationEmailSentAt")]
    public partial class InvitationEmailSentAt : Migration
    {
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "email_sent_at",
                table: "invitations",
                type: "timestamp with time zone",
                nullable: true);
        }

        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(name: "email_sent_at", table: "invitations");
        }
    }
}
