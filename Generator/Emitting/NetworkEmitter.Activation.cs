using CnnGen.Generator.Model;

namespace CnnGen.Generator.Emitting;

internal static partial class NetworkEmitter
{
    /// <summary>Element-wise activations: ReLU, LeakyReLU, Tanh, Sigmoid.</summary>
    internal static class Activation
    {
        public static void EmitForward(SourceWriter w, ActivationSpec a)
        {
            string formula = a.Kind switch
            {
                LayerKind.ReLU => "y = max(x, 0)",
                LayerKind.LeakyReLU => $"y = x > 0 ? x : {F(a.Slope)} * x",
                LayerKind.Tanh => "y = tanh(x) = 1 - 2 / (exp(2x) + 1)",
                _ => "y = 1 / (1 + exp(-x))",
            };
            if (a.FusedIntoPool)
            {
                w.Line($"// {a.Name}: {formula}, fused into the max pool that follows (max over a window of max(x, 0) = max(0, max over");
                w.Line("// the window)); its gradient mask is applied in that pool's backward. No methods of its own.");
                w.Line();
                return;
            }
            w.Line($"// {a.Name}_Forward: {formula}");
            w.Line($"// x {Shape(a.Input)}  ->  y {Shape(a.Output)}");
            w.Line(Hot);
            w.Open($"private static void {a.Name}_Forward<TLane>({RO}<TLane> x, {SP}<TLane> y, int B) {Where}");
            w.Line($"const int N = {I(a.Input.Size)};");
            string? constants = Constants(a);
            if (constants is not null) w.Line(constants);
            w.Line("for (int i = 0; i < B * N; i++)");
            w.Line($"    y[i] = {Expression(a, "x[i]")};");
            w.Close();
            w.Line();
        }

        /// <summary>The lane constants <see cref="Expression"/> uses, as one declaration (null if none).</summary>
        internal static string? Constants(ActivationSpec a) => a.Kind switch
        {
            LayerKind.ReLU => null,
            LayerKind.LeakyReLU => $"TLane slope = TLane.Broadcast({F(a.Slope)});",
            LayerKind.Tanh => "TLane one = TLane.Broadcast(1f), two = TLane.Broadcast(2f);",
            _ => "TLane one = TLane.Broadcast(1f);",
        };

        /// <summary>The activation of lane value <paramref name="x"/>.</summary>
        internal static string Expression(ActivationSpec a, string x) => a.Kind switch
        {
            LayerKind.ReLU => $"TLane.Max({x}, TLane.Zero)",
            LayerKind.LeakyReLU => $"TLane.Select(TLane.GreaterThan({x}, TLane.Zero), {x}, {x} * slope)",
            LayerKind.Tanh => $"one - two / (TLane.Exp(two * {x}) + one)",
            _ => $"one / (one + TLane.Exp(TLane.Zero - {x}))",
        };

        public static void EmitBackward(SourceWriter w, ActivationSpec a)
        {
            if (a.FusedIntoPool) return; // see EmitForward
            string formula = a.Kind switch
            {
                LayerKind.ReLU => "dx = y > 0 ? dy : 0",
                LayerKind.LeakyReLU => $"dx = x > 0 ? dy : {F(a.Slope)} * dy",
                LayerKind.Tanh => "dx = dy * (1 - y * y)",
                _ => "dx = dy * y * (1 - y)",
            };
            w.Line($"// {a.Name}_Backward (writes dx: element-wise, each element has one contribution): {formula}");
            w.Line($"// x, y, dy {Shape(a.Input)}  ->  dx {Shape(a.Input)}");
            w.Line(Hot);
            w.Open($"private static void {a.Name}_Backward<TLane>({RO}<TLane> x, {RO}<TLane> y, {RO}<TLane> dy, {SP}<TLane> dx, int B) {Where}");
            w.Line($"const int N = {I(a.Input.Size)};");
            switch (a.Kind)
            {
                case LayerKind.ReLU:
                    w.Line("for (int i = 0; i < B * N; i++)");
                    w.Line("    dx[i] = TLane.And(TLane.GreaterThan(y[i], TLane.Zero), dy[i]);");
                    break;
                case LayerKind.LeakyReLU:
                    w.Line($"TLane slope = TLane.Broadcast({F(a.Slope)});");
                    w.Line("for (int i = 0; i < B * N; i++)");
                    w.Line("    dx[i] = TLane.Select(TLane.GreaterThan(x[i], TLane.Zero), dy[i], dy[i] * slope);");
                    break;
                case LayerKind.Tanh:
                    w.Line("TLane one = TLane.Broadcast(1f);");
                    w.Line("for (int i = 0; i < B * N; i++)");
                    w.Line("    dx[i] = dy[i] * (one - y[i] * y[i]);");
                    break;
                default:
                    w.Line("TLane one = TLane.Broadcast(1f);");
                    w.Line("for (int i = 0; i < B * N; i++)");
                    w.Line("    dx[i] = dy[i] * y[i] * (one - y[i]);");
                    break;
            }
            w.Close();
            w.Line();
        }
    }
}
