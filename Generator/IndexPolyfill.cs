// netstandard2.0 has no System.Index; C# list patterns on arrays and lists (the ONNX graph code shared with CnnGen.Onnx)
// need it to read elements from the end.
namespace System;

internal readonly struct Index
{
    private readonly int _value; // >= 0 from the start, ~offset from the end

    public Index(int value, bool fromEnd = false)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(nameof(value));
        _value = fromEnd ? ~value : value;
    }

    public bool IsFromEnd => _value < 0;
    public int Value => _value < 0 ? ~_value : _value;
    public int GetOffset(int length) => _value < 0 ? length + _value + 1 : _value;

    public static implicit operator Index(int value) => new(value);
}
