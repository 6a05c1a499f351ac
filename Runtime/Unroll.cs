namespace CnnGen;

/// <summary>How far the generator unrolls kernel windows.</summary>
public enum Unroll
{
    /// <summary>Unroll kernel windows times a block of channels where it stays inside the per-method budget; loops elsewhere.</summary>
    Auto = 0,
    /// <summary>As <see cref="Auto"/>, and report an informational diagnostic for every layer that could not be unrolled.</summary>
    Full = 1,
    /// <summary>Plain loops everywhere: the easiest code to step through, and the slowest.</summary>
    None = 2,
}
