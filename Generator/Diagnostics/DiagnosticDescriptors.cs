using Microsoft.CodeAnalysis;

namespace CnnGen.Generator.Diagnostics;

/// <summary>Every diagnostic CnnGen reports. IDs are never reused; list new ones in AnalyzerReleases.Unshipped.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "CnnGen";

    /// <summary>The repository; help links point at <c>docs/diagnostics.md</c> in it.</summary>
    public const string RepositoryUrl = "https://github.com/cnngen/cnngen";

    /// <summary>The help link of a diagnostic: its section of <c>docs/diagnostics.md</c>, whose heading is the ID.</summary>
    public static string HelpLinkUri(string id) => RepositoryUrl + "/blob/main/docs/diagnostics.md#" + id.ToLowerInvariant();

    // Keys of Diagnostic.Properties: the numbers a code fix needs, computed where the diagnostic is found.
    /// <summary>CNN004, CNN006: the Conv2D padding that makes the kernel fit / uses every row and column.</summary>
    public const string PaddingProperty = "Padding";
    /// <summary>CNN005: the largest pooling window that fits the input.</summary>
    public const string SizeProperty = "Size";
    /// <summary>CNN018: a layer name that no other layer of the network uses.</summary>
    public const string NameProperty = "Name";

    public static readonly DiagnosticDescriptor ClassNotPartial = new(
        "CNN001", "Network class must be partial",
        "Network '{0}' must be declared partial so that CnnGen can add its generated members",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN001"));

    public static readonly DiagnosticDescriptor MissingNetworkAttribute = new(
        "CNN002", "Layers without an input shape",
        "Class '{0}' declares layers but no input shape; add [Network(channels, height, width)] to it",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN002"));

    public static readonly DiagnosticDescriptor NonPositiveSize = new(
        "CNN003", "Size must be positive",
        "Layer '{0}': {1} must be positive, but is {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN003"));

    public static readonly DiagnosticDescriptor KernelLargerThanInput = new(
        "CNN004", "Kernel larger than its input",
        "Layer '{0}': kernel {1}x{1} does not fit input {2}x{3} with padding {4}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN004"));

    public static readonly DiagnosticDescriptor PoolLargerThanInput = new(
        "CNN005", "Pooling window larger than its input",
        "Layer '{0}': pooling window {1}x{1} does not fit input {2}x{3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN005"));

    public static readonly DiagnosticDescriptor StrideLeavesInputUnused = new(
        "CNN006", "Stride leaves input rows or columns unused",
        "Layer '{0}': window {1} with stride {2} on input {3}x{4} never reads the last {5} row(s) and {6} column(s)",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN006"));

    public static readonly DiagnosticDescriptor DenseNeedsFlatInput = new(
        "CNN007", "Dense or Softmax layer on a spatial input",
        "Layer '{0}': {1} needs a flat input but gets {2}; add [Flatten] before it",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN007"));

    public static readonly DiagnosticDescriptor LayersOnSeveralDeclarations = new(
        "CNN008", "Layers on more than one partial declaration",
        "Network '{0}' has layer attributes on more than one partial declaration; keep [Network] and all layers on one declaration so their order is defined",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN008"));

    public static readonly DiagnosticDescriptor MissingSoftmax = new(
        "CNN009", "Network does not end with Softmax",
        "Network '{0}' must end with [Softmax] (paired with cross-entropy loss); its last layer is {1} with output {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN009"));

    public static readonly DiagnosticDescriptor MisplacedSoftmax = new(
        "CNN010", "Softmax before the last layer",
        "Layer '{0}': Softmax must be the last layer, but {1} layer(s) follow it",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN010"));

    public static readonly DiagnosticDescriptor NoParameters = new(
        "CNN011", "Network has nothing to train",
        "Network '{0}' has no trainable parameters; add a Conv2D, Dense or BatchNorm layer",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN011"));

    public static readonly DiagnosticDescriptor NestedClassUnsupported = new(
        "CNN012", "Nested network class",
        "Network '{0}' is nested in '{1}'; declare it as a top-level class",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN012"));

    public static readonly DiagnosticDescriptor GenericClassUnsupported = new(
        "CNN013", "Generic network class",
        "Network '{0}' is generic; network classes cannot have type parameters",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN013"));

    public static readonly DiagnosticDescriptor ArgumentOutOfRange = new(
        "CNN014", "Layer setting out of range",
        "Layer '{0}': {1} must be {2}, but is {3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN014"));

    public static readonly DiagnosticDescriptor NeedsSpatialInput = new(
        "CNN015", "Spatial layer on a flat input",
        "Layer '{0}': {1} needs a channels x height x width input but gets a flat vector of {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN015"));

    public static readonly DiagnosticDescriptor NotUnrolled = new(
        "CNN016", "Kernel window not unrolled",
        "Layer '{0}': the {1} is not unrolled because {2} unrolled statements exceed the per-method budget of {3}; loops are emitted instead",
        Category, DiagnosticSeverity.Info, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN016"));

    public static readonly DiagnosticDescriptor InvalidLayerName = new(
        "CNN017", "Invalid layer name",
        "Layer name '{0}' is not a valid C# identifier",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN017"));

    public static readonly DiagnosticDescriptor DuplicateLayerName = new(
        "CNN018", "Duplicate layer name",
        "Layer name '{0}' is used by more than one layer",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN018"));

    public static readonly DiagnosticDescriptor NetworkTooLarge = new(
        "CNN019", "Network too large",
        "Layer '{0}': {1} of {2} values exceeds the supported maximum of {3}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN019"));

    public static readonly DiagnosticDescriptor InternalError = new(
        "CNN020", "CnnGen internal error",
        "CnnGen could not generate code for '{0}': {1}. This is a bug in CnnGen; please report it with the CnnGen version, this message, and the [Network] class with its layer attributes (the smallest declaration that still fails).",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN020"));

    public static readonly DiagnosticDescriptor FlattenOnFlatInput = new(
        "CNN021", "Flatten on an input that is already flat",
        "Layer '{0}': the input is already a flat vector of {1}; this Flatten does nothing",
        Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN021"));

    public static readonly DiagnosticDescriptor RecordUnsupported = new(
        "CNN022", "Network declared as a record",
        "Network '{0}' is a record; declare it as a partial class",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN022"));

    public static readonly DiagnosticDescriptor ResidualShapeMismatch = new(
        "CNN023", "Residual block changes the shape",
        "Layer '{0}': the block's input {1} and its output {2} differ; set Projection = true to add the input through a strided 1x1 convolution",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN023"));

    public static readonly DiagnosticDescriptor ProjectionImpossible = new(
        "CNN024", "No projection maps the block's input to its output",
        "Layer '{0}': no strided 1x1 convolution maps the block's input {1} to its output {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN024"));

    public static readonly DiagnosticDescriptor AddWithoutResidual = new(
        "CNN025", "Add without a residual block",
        "Layer '{0}' closes no residual block; put [Residual] where the block starts",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN025"));

    public static readonly DiagnosticDescriptor ResidualNotClosed = new(
        "CNN026", "Residual block not closed",
        "Layer '{0}' opens a residual block that no [Add] closes",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN026"));

    public static readonly DiagnosticDescriptor NestedResidual = new(
        "CNN027", "Nested residual blocks",
        "Layer '{0}': residual blocks cannot be nested; close the block opened by '{1}' with [Add] first",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN027"));

    public static readonly DiagnosticDescriptor GroupsDoNotDivide = new(
        "CNN028", "Groups do not divide the channels",
        "Layer '{0}': {1} groups must divide both its {2} input channels and its {3} filters",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN028"));

    public static readonly DiagnosticDescriptor OnnxFileNotFound = new(
        "CNN029", "ONNX model not among the additional files",
        "Network '{0}': {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN029"));

    public static readonly DiagnosticDescriptor OnnxModelUnusable = new(
        "CNN030", "ONNX model cannot be generated",
        "Network '{0}': {1}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN030"));

    public static readonly DiagnosticDescriptor OnnxNetworkWithLayers = new(
        "CNN031", "ONNX network declares layers",
        "Network '{0}' takes its input shape and layers from '{1}'; remove its {2}",
        Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        helpLinkUri: HelpLinkUri("CNN031"));
}
