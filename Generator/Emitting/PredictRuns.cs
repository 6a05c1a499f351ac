using System.Collections.Generic;

namespace CnnGen.Generator.Emitting;

/// <summary>The single-sample kernels' loop over runs of TLane.Count adjacent output columns of one output row.</summary>
internal static class PredictRuns
{
    /// <summary>Opens the loop over runs of TLane.Count output columns of one output row.</summary>
    public static void Open(SourceWriter w) => w.Open("for (int ow = 0; ow < OW; ow += TLane.Count)");

    /// <summary>Stores each (value, offset): whole when the run fits in the row, else only its first OW - ow lanes.</summary>
    public static void Store(SourceWriter w, IReadOnlyList<(string Value, string Offset)> stores)
    {
        w.Open("if (ow + TLane.Count <= OW)");
        foreach (var (value, offset) in stores) w.Line($"TLane.Store({value}, y, {offset});");
        w.Close();
        w.Line("else // the row's last run: only OW - ow columns exist");
        w.Open();
        foreach (var (value, offset) in stores) w.Line($"TLane.StoreFirst({value}, y, {offset}, OW - ow);");
        w.Close();
    }
}
