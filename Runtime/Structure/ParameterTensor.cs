namespace CnnGen.Structure;

/// <summary>
/// One trainable tensor of a layer: its buffer name in the generated code (<c>conv1_w</c>), where it starts in
/// <see cref="INetwork.Parameters"/>, and its shape, PyTorch's layout: convolution weights (out, in/groups, kh, kw),
/// dense weights (units, inputs), biases and BatchNorm scales and shifts (channels).
/// </summary>
public sealed record ParameterTensor(string Name, int Offset, int[] Shape)
{
    /// <summary>Values in the tensor: the product of <see cref="Shape"/>.</summary>
    public int Length
    {
        get
        {
            int n = 1;
            foreach (int d in Shape) n *= d;
            return n;
        }
    }
}
