using CnnGen.Generator.Model;

namespace CnnGen.Generator.Emitting;

internal static partial class NetworkEmitter
{
    /// <summary>
    /// Batch normalization per channel (over samples and positions) or per feature (over samples). Statistics count
    /// only valid lanes: padding lanes of the last group are masked out by <c>valid</c>.
    /// </summary>
    internal static class BatchNorm
    {
        private static string Consts(BatchNormSpec b) => $"const int C = {I(b.Input.C)}, HW = {I(b.Spatial)};";

        public static void EmitForward(SourceWriter w, BatchNormSpec b)
        {
            w.Line($"// {b.Name}_Forward (training): y = gamma * (x - mean) / sqrt(var + eps) + beta, batch statistics per {(b.Input.IsFlat ? "feature" : "channel")}");
            w.Line($"// x {Shape(b.Input)}  gamma, beta ({I(b.Input.C)})  ->  y {Shape(b.Output)}, mean, var, invstd ({I(b.Input.C)})");
            w.Line(Hot);
            w.Open($"private static void {b.Name}_Forward<TLane>({RO}<TLane> x, {RO}<float> gamma, {RO}<float> beta, {RO}<TLane> valid, int count, {SP}<float> mean, {SP}<float> variance, {SP}<float> invstd, {SP}<TLane> y, int B) {Where}");
            w.Line(Consts(b));
            w.Line($"const float Eps = {F(b.Epsilon)};");
            w.Line("float n = (float)count * HW;");
            w.Open("for (int c = 0; c < C; c++)");
            w.Line("// mean over valid samples and positions");
            w.Line("TLane acc = TLane.Zero;");
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Line("    for (int hw = 0; hw < HW; hw++)");
            w.Line("        acc = TLane.FusedMultiplyAdd(x[(bg * C + c) * HW + hw], valid[bg], acc);");
            w.Line("float mu = TLane.Sum(acc) / n;");
            w.Line("// biased variance");
            w.Line("TLane m = TLane.Broadcast(mu);");
            w.Line("acc = TLane.Zero;");
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Open("    for (int hw = 0; hw < HW; hw++)");
            w.Line("TLane d = x[(bg * C + c) * HW + hw] - m;");
            w.Line("acc = TLane.FusedMultiplyAdd(d * d, valid[bg], acc);");
            w.Close();
            w.Line("float var = TLane.Sum(acc) / n;");
            w.Line("float inv = 1f / global::System.MathF.Sqrt(var + Eps);");
            w.Line("mean[c] = mu; variance[c] = var; invstd[c] = inv;");
            w.Line("// y = x * scale + shift");
            w.Line("TLane scale = TLane.Broadcast(gamma[c] * inv), shift = TLane.Broadcast(beta[c] - mu * gamma[c] * inv);");
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Line("    for (int hw = 0; hw < HW; hw++)");
            w.Line("        y[(bg * C + c) * HW + hw] = TLane.FusedMultiplyAdd(x[(bg * C + c) * HW + hw], scale, shift);");
            w.Close();
            w.Close();
            w.Line();

            w.Line($"// {b.Name}_Infer: the same with the running statistics");
            w.Line(Hot);
            w.Open($"private static void {b.Name}_Infer<TLane>({RO}<TLane> x, {RO}<float> gamma, {RO}<float> beta, {RO}<float> runningMean, {RO}<float> runningVar, {SP}<TLane> y, int B) {Where}");
            w.Line(Consts(b));
            w.Line($"const float Eps = {F(b.Epsilon)};");
            w.Open("for (int c = 0; c < C; c++)");
            w.Line("float inv = 1f / global::System.MathF.Sqrt(runningVar[c] + Eps);");
            w.Line("TLane scale = TLane.Broadcast(gamma[c] * inv), shift = TLane.Broadcast(beta[c] - runningMean[c] * gamma[c] * inv);");
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Line("    for (int hw = 0; hw < HW; hw++)");
            w.Line("        y[(bg * C + c) * HW + hw] = TLane.FusedMultiplyAdd(x[(bg * C + c) * HW + hw], scale, shift);");
            w.Close();
            w.Close();
            w.Line();
        }

        public static void EmitBackward(SourceWriter w, BatchNormSpec b, bool dx)
        {
            w.Line($"// {b.Name}_Backward (accumulates), with xhat = (x - mean) * invstd and n valid values per {(b.Input.IsFlat ? "feature" : "channel")}:");
            w.Line("//   dgamma += sum dy * xhat;  dbeta += sum dy");
            if (dx) w.Line("//   dx += gamma * invstd * (dy - sum(dy) / n - xhat * sum(dy * xhat) / n), 0 in padding lanes");
            w.Line(Hot);
            string dxParam = dx ? $"{SP}<TLane> dx, " : "";
            w.Open($"private static void {b.Name}_Backward<TLane>({RO}<TLane> x, {RO}<float> gamma, {RO}<TLane> valid, int count, {RO}<float> mean, {RO}<float> invstd, {RO}<TLane> dy, {dxParam}{SP}<float> dgamma, {SP}<float> dbeta, int B) {Where}");
            w.Line(Consts(b));
            w.Line("float n = (float)count * HW;");
            w.Open("for (int c = 0; c < C; c++)");
            w.Line("TLane m = TLane.Broadcast(mean[c]), inv = TLane.Broadcast(invstd[c]);");
            w.Line("TLane sumDy = TLane.Zero, sumDyXhat = TLane.Zero;");
            w.Line("for (int bg = 0; bg < B; bg++)");
            w.Open("    for (int hw = 0; hw < HW; hw++)");
            w.Line("int i = (bg * C + c) * HW + hw;");
            w.Line("TLane g = dy[i] * valid[bg];");
            w.Line("sumDy += g;");
            w.Line("sumDyXhat = TLane.FusedMultiplyAdd(g, (x[i] - m) * inv, sumDyXhat);");
            w.Close();
            w.Line("float sDy = TLane.Sum(sumDy), sDyXhat = TLane.Sum(sumDyXhat);");
            w.Line("dgamma[c] += sDyXhat;");
            w.Line("dbeta[c] += sDy;");
            if (dx)
            {
                w.Line("TLane k = TLane.Broadcast(gamma[c] * invstd[c]), a = TLane.Broadcast(sDy / n), q = TLane.Broadcast(sDyXhat / n);");
                w.Line("for (int bg = 0; bg < B; bg++)");
                w.Open("    for (int hw = 0; hw < HW; hw++)");
                w.Line("int i = (bg * C + c) * HW + hw;");
                w.Line("TLane xhat = (x[i] - m) * inv;");
                w.Line("dx[i] += valid[bg] * k * (dy[i] - a - xhat * q);");
                w.Close();
            }
            w.Close();
            w.Close();
            w.Line();
        }
    }
}
