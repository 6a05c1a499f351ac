using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace CnnGen;

/// <summary>
/// How many vector registers the JIT can allocate on this CPU: 32 on x64 with AVX-512 (EVEX encoding, whether or not
/// <c>Vector512</c> is preferred) and on ARM64, 16 on x64 without AVX-512 (AVX2, SSE). Generated kernels whose best
/// register blocking differs between the two come in two forms, and the generated code calls the one that fits.
/// </summary>
public static class VectorRegisters
{
    /// <summary>Whether 32 vector registers are available (see <see cref="VectorRegisters"/>); a constant to the JIT.</summary>
    public static bool Many => Avx512F.IsSupported || AdvSimd.Arm64.IsSupported;
}
