using System;
using System.Collections.Generic;
using System.Linq;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Threading;

namespace CnnGen.Training;

/// <summary>
/// Start-up under the JIT: compiles a generated network's kernels on a background thread while the first batch
/// runs, so that the first forward and backward passes do not compile every kernel one after the other on the
/// training thread.
/// </summary>
/// <remarks>
/// <para>The generated kernels (<c>Conv1_Forward&lt;TLane&gt;</c> and so on) are large and marked
/// <see cref="MethodImplOptions.AggressiveOptimization"/>, so each is compiled fully optimized the first time it
/// is called: about 100 ms of JIT for LeNet-5 at 16 lanes, most of the time to the first trained batch.
/// ReadyToRun cannot precompile them (AggressiveOptimization methods and instantiations over a lane type from
/// another assembly are left to the JIT). This helper finds the kernels by reflection (generic methods of the
/// network's class with one type parameter, AggressiveOptimization and a parameter of lane data) and calls
/// <see cref="RuntimeHelpers.PrepareMethod(RuntimeMethodHandle, RuntimeTypeHandle[])"/> on each with the
/// trainer's lane type: the backward pass first, then the layer kernels from the last layer down. The training
/// thread compiles the forward kernels as it reaches them, from the first layer on, while this thread compiles
/// the ones it needs later. A kernel already compiled (or being compiled by the other thread) costs nothing more;
/// the code is the same as when compiled on first call.</para>
/// <para>Best effort: it never throws, does nothing where code is not compiled at run time (NativeAOT, where the
/// kernels are compiled ahead of time) or on a single-core machine, and can be turned off with the
/// <see cref="AppContext"/> switch <c>CnnGen.Training.PrecompileKernels</c> = false (runtimeconfig.json, or
/// <c>&lt;RuntimeHostConfigurationOption&gt;</c> in the project).</para>
/// </remarks>
internal static class KernelPrecompiler
{
    /// <summary>The AppContext switch that turns the background compilation off when set to false.</summary>
    public const string Switch = "CnnGen.Training.PrecompileKernels";

    private static readonly HashSet<(Type Network, int Lanes)> Started = [];

    /// <summary>Starts compiling <paramref name="net"/>'s kernels for <paramref name="lanes"/> on a background thread (once per network type and width).</summary>
    public static void Start(INetwork net, int lanes)
    {
        if (!RuntimeFeature.IsDynamicCodeSupported || !RuntimeFeature.IsDynamicCodeCompiled) return; // NativeAOT: compiled ahead of time
        if (Environment.ProcessorCount < 2) return; // no second core to compile on
        if (AppContext.TryGetSwitch(Switch, out bool enabled) && !enabled) return;
        Type? lane = LaneWidths.LaneType(lanes);
        if (lane is null) return;
        Type type = net.GetType();
        lock (Started)
            if (!Started.Add((type, lanes))) return;
        var thread = new Thread(() => Compile(type, lane)) { IsBackground = true, Name = "CnnGen kernel precompiler" };
        thread.Start();
    }

    /// <summary>Compiles the kernels of <paramref name="type"/> for <paramref name="lane"/> on this thread; best effort, never throws.</summary>
    internal static void Compile(Type type, Type lane)
    {
        try
        {
            var instantiation = new[] { lane.TypeHandle };
            foreach (var kernel in Kernels(type))
            {
                try
                {
                    RuntimeHelpers.PrepareMethod(kernel.MethodHandle, instantiation);
                }
                catch (ArgumentException) { } // a constraint the lane type does not meet: not a lane kernel
            }
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or MemberAccessException or TypeLoadException)
        {
            // best effort: the kernels compile on first call instead
        }
    }

    /// <summary>The name suffix of a generated kernel's 16-register form.</summary>
    private const string NarrowSuffix = "Narrow";

    /// <summary>
    /// The batch kernels of a generated network class in compile order: generic methods with one type parameter,
    /// <see cref="MethodImplOptions.AggressiveOptimization"/> and a parameter of lane data; the passes (instance
    /// methods: Forward, Backward) first, then the layer kernels (static), last layer first.
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2070",
        Justification = "Best effort: the kernels are called by the generated code, so trimming keeps them; a kernel reflection cannot see is compiled on first call as without this helper.")]
    internal static List<MethodInfo> Kernels(Type type)
    {
        var kernels = new List<MethodInfo>();
        foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
        {
            if (!method.IsGenericMethodDefinition || method.GetGenericArguments().Length != 1) continue;
            if ((method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) == 0) continue;
            if (!TakesLaneData(method)) continue; // e.g. single-sample kernels over plain floats: not used in training
            kernels.Add(method);
        }
        // a kernel with a form for 16 vector registers (Name and NameNarrow, see VectorRegisters): only the one called here
        var names = new HashSet<string>(kernels.Select(k => k.Name));
        kernels.RemoveAll(k => VectorRegisters.Many ? k.Name.EndsWith(NarrowSuffix, StringComparison.Ordinal) && names.Contains(k.Name[..^NarrowSuffix.Length])
                                                    : names.Contains(k.Name + NarrowSuffix));
        // declaration order is layer order, and the training thread compiles from the first layer on (see remarks)
        kernels.Sort((a, b) => a.IsStatic != b.IsStatic ? a.IsStatic.CompareTo(b.IsStatic) : b.MetadataToken.CompareTo(a.MetadataToken));
        return kernels;
    }

    /// <summary>Whether a parameter's type involves the lane type parameter (a span of lanes, a workspace): a batch kernel.</summary>
    private static bool TakesLaneData(MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
            if (parameter.ParameterType.ContainsGenericParameters) return true;
        return false;
    }
}
