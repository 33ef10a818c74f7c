using Serilog;
using Serilog.Formatting.Compact;
using WrkCopilot.Features.Kernel.Hosting;
using WrkCopilot.Features.Flows.Flow27_RunEventWebhook;
using WrkCopilot.Features.Flows.Flow28_UsageAggregation;
using WrkCopilot.Features.Kernel.Outbox;
using WrkCopilot.Hosting;

var command = args.FirstOrDefault(a => !a.StartsWith('-') && !a.Contains('=', StringComparison.Ordinal));
var builder = command == Commands.OpenApiCommand ? Commands.DescribeOnlyBuilder(args) : WebApplication.CreateBuilder(args);

builder.Host.UseSerilog((ctx, services, log) => log
    .ReadFrom.Configuration(ctx.Configuration)
    .Enrich.FromLogContext()
    .WriteTo.Console(new RenderedCompactJsonFormatter()));

// No connection string: start (or reuse) a local PostgreSQL cluster and apply migrations.
var localDatabase = await DatabaseBootstrap.PrepareAsync(builder.Configuration, command, builder.Environment);

builder.Services.AddWrkCopilot(builder.Configuration);
builder.Services.AddUsageAggregation(builder.Configuration);
builder.Services.AddRunEventWebhook();

var app = builder.Build();

if (command is not null)
{
    return await Commands.RunAsync(command, args, app, localDatabase);
}

// One JSON line per request, carrying request, tenant and user ids (handlers' own lines get them from the log scope).
app.UseSerilogRequestLogging(o => o.EnrichDiagnosticContext = RequestLogEnricher.Enrich);
app.UseWrkCopilot();
app.UseOutbox();
app.UseUsageSchedules();
if (localDatabase is not null)
{
    app.Logger.LogInformation("Local PostgreSQL in {DataDirectory} on port {Port} (log: {Log})",
        localDatabase.DataDirectory, localDatabase.Port, localDatabase.LogFile);
}
await app.RunAsync();
return 0;
