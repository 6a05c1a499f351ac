using System;
using System.Collections.Generic;
using System.Linq;
using static CnnGen.Generator.Emitting.Code;

namespace CnnGen.Generator.Emitting;

/// <summary>
/// One kernel's parameters, each with the argument a call passes for it: the kernel's declaration and its call site
/// are printed from the same description, so they cannot drift apart.
/// </summary>
internal sealed class KernelSignature
{
    private readonly string _name;
    private readonly List<(string Type, string Name, string Argument)> _parameters = new();

    public KernelSignature(string name) => _name = name;

    public KernelSignature Add(string type, string name, string argument)
    {
        _parameters.Add((type, name, argument));
        return this;
    }

    /// <summary>Adds what <paramref name="add"/> adds when <paramref name="condition"/> holds.</summary>
    public KernelSignature If(bool condition, Func<KernelSignature, KernelSignature> add) => condition ? add(this) : this;

    /// <summary>Lane values read (activations, gradients of outputs).</summary>
    public KernelSignature In(string name, string argument) => Add($"{RO}<TLane>", name, argument);
    /// <summary>Lane values written.</summary>
    public KernelSignature Out(string name, string argument) => Add($"{SP}<TLane>", name, argument);
    /// <summary>Floats read (weights, plain single-sample activations).</summary>
    public KernelSignature Floats(string name, string argument) => Add($"{RO}<float>", name, argument);
    /// <summary>Floats written (parameter gradients, statistics, plain single-sample outputs).</summary>
    public KernelSignature FloatsOut(string name, string argument) => Add($"{SP}<float>", name, argument);
    /// <summary>An int.</summary>
    public KernelSignature Int(string name, string argument) => Add("int", name, argument);
    /// <summary>The lane-group count <c>B</c>, last by convention.</summary>
    public KernelSignature Groups(string argument = "B") => Add("int", "B", argument);

    /// <summary><c>private static void Name&lt;TLane&gt;(...) where TLane : ...</c></summary>
    public string Declaration =>
        $"private static void {_name}<TLane>({Parameters}) {Where}";

    /// <summary><c>Name&lt;lane&gt;(arguments);</c></summary>
    public string Call(string lane = "TLane") => $"{_name}<{lane}>({Arguments});";

    /// <summary><c>private static void Name(...)</c>: a kernel without lanes (packing weights, for example).</summary>
    public string PlainDeclaration => $"private static void {_name}({Parameters})";

    /// <summary><c>Name(arguments);</c> of a <see cref="PlainDeclaration"/>.</summary>
    public string PlainCall => $"{_name}({Arguments});";

    private string Parameters => string.Join(", ", _parameters.Select(p => p.Type + " " + p.Name));
    private string Arguments => string.Join(", ", _parameters.Select(p => p.Argument));
}
