using System.Reflection;
using System.Reflection.Emit;
using WrkCopilot.Features.Data.Entities;
using WrkCopilot.Features.Kernel.Lifecycle;

namespace WrkCopilot.Tests.Kernel.Lifecycle;

/// <summary>
/// "Nothing else writes a version's status": every method body of the app's assemblies is decoded (IL, no
/// Roslyn) and each call to the setters of <c>AutomationVersion.Status</c>, <c>StatusBeforeBlocked</c>,
/// <c>BlockedReason</c> and <c>Project.Status</c> must sit in a type of the Kernel.Lifecycle namespace
/// (lambdas and async state machines are nested types there, so they count). Unlike a text scan this sees
/// object initialisers and cannot be fooled by formatting. EF materialisation writes through backing fields
/// outside these assemblies, so it is not counted; reflection writes would not be seen (none exist).
/// </summary>
public sealed class StatusWritersTests
{
    private static readonly Dictionary<short, OpCode> OneByte = [];
    private static readonly Dictionary<short, OpCode> TwoByte = [];

    static StatusWritersTests()
    {
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            if (op.Size == 1)
            {
                OneByte[op.Value] = op;
            }
            else
            {
                TwoByte[(short)(op.Value & 0xFF)] = op;
            }
        }
    }

    private static readonly MethodInfo[] GuardedSetters =
    [
        typeof(AutomationVersion).GetProperty(nameof(AutomationVersion.Status))!.SetMethod!,
        typeof(AutomationVersion).GetProperty(nameof(AutomationVersion.StatusBeforeBlocked))!.SetMethod!,
        typeof(AutomationVersion).GetProperty(nameof(AutomationVersion.BlockedReason))!.SetMethod!,
        typeof(Project).GetProperty(nameof(Project.Status))!.SetMethod!,
    ];

    [Fact]
    public void Only_Kernel_Lifecycle_writes_the_status_of_a_version_or_a_project()
    {
        var writers = FindWriters([typeof(AutomationVersion).Assembly, typeof(Program).Assembly]);
        var lifecycleNamespace = typeof(LifecycleKernel).Namespace!;

        // The scan must see the kernel's own writes, or it proves nothing.
        Assert.Contains(writers, w => w.Type.Namespace == lifecycleNamespace && w.Setter.Name == "set_Status");
        var outside = writers.Where(w => w.Type.Namespace != lifecycleNamespace)
            .Select(w => $"{w.Type.FullName}.{w.Method} calls {w.Setter.DeclaringType!.Name}.{w.Setter.Name}")
            .ToList();
        Assert.True(outside.Count == 0, "Only Kernel/Lifecycle may write lifecycle status:\n" + string.Join("\n", outside));
    }

    private sealed record Writer(Type Type, string Method, MethodInfo Setter);

    private static List<Writer> FindWriters(IEnumerable<Assembly> assemblies)
    {
        var found = new List<Writer>();
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var assembly in assemblies)
        {
            foreach (var type in assembly.GetTypes())
            {
                var methods = type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all));
                foreach (var method in methods)
                {
                    var il = method.GetMethodBody()?.GetILAsByteArray();
                    if (il is null)
                    {
                        continue;
                    }
                    foreach (var token in CallTargets(il))
                    {
                        MethodBase? target;
                        try
                        {
                            target = type.Module.ResolveMethod(token, type.IsGenericType ? type.GetGenericArguments() : null,
                                method.IsGenericMethod ? method.GetGenericArguments() : null);
                        }
                        catch (ArgumentException)
                        {
                            continue;
                        }
                        if (target is MethodInfo mi && GuardedSetters.Contains(mi))
                        {
                            found.Add(new Writer(type.DeclaringType is { } outer && type.Name.StartsWith('<') ? Outermost(type) : type, method.Name, mi));
                        }
                    }
                }
            }
        }
        return found;
    }

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    /// <summary>The metadata tokens of every call, callvirt, newobj and ldftn in a method body.</summary>
    private static IEnumerable<int> CallTargets(byte[] il)
    {
        var i = 0;
        while (i < il.Length)
        {
            OpCode op;
            if (il[i] == 0xFE)
            {
                op = TwoByte[il[i + 1]];
                i += 2;
            }
            else
            {
                op = OneByte[il[i]];
                i += 1;
            }
            var operandStart = i;
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, operandStart)),
                _ => 4,
            };
            if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj || op == OpCodes.Ldftn || op == OpCodes.Ldvirtftn)
            {
                yield return BitConverter.ToInt32(il, operandStart);
            }
        }
    }
}
