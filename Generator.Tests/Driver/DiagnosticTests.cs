using Microsoft.CodeAnalysis;
using Xunit;
using static CnnGen.Generator.Tests.Driver.DiagnosticAssert;

namespace CnnGen.Generator.Tests.Driver;

/// <summary>
/// For every descriptor: a test that triggers it (exact ID, severity, message and span, and nothing else reported) and a
/// test with the corrected code that reports nothing. Spans are marked with <c>[|...|]</c> in the source.
/// </summary>
public class DiagnosticTests
{
    private const DiagnosticSeverity Error = DiagnosticSeverity.Error;
    private const DiagnosticSeverity Warning = DiagnosticSeverity.Warning;
    private const DiagnosticSeverity Info = DiagnosticSeverity.Info;

    /// <summary>A file with <c>using CnnGen;</c> and a file-scoped namespace around <paramref name="body"/>.</summary>
    private static string Source(string body) => "using CnnGen;\nnamespace Samples;\n\n" + body + "\n";

    // ---------------------------------------------------------------- CNN001 ClassNotPartial

    [Fact, Triggers("CNN001")]
    public void CNN001_class_not_partial() => Reports(Source("""
        [[|Network(1, 28, 28)|]]
        [Conv2D(6, 5), ReLU, MaxPool(2)]
        [Flatten, Dense(10), Softmax]
        public class Plain { }
        """),
        new Expected("CNN001", Error, "Network 'Plain' must be declared partial so that CnnGen can add its generated members"));

    [Fact, DoesNotTrigger("CNN001")]
    public void CNN001_partial_class_is_fine() => DoesNotReport("CNN001", Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 5), ReLU, MaxPool(2)]
        [Flatten, Dense(10), Softmax]
        public partial class Plain { }
        """));

    // ---------------------------------------------------------------- CNN002 MissingNetworkAttribute

    [Fact, Triggers("CNN002")]
    public void CNN002_layers_without_network() => Reports(Source("""
        [[|Conv2D(6, 5)|], ReLU, MaxPool(2)]
        [Flatten, Dense(10), Softmax]
        public partial class NoInput { }
        """),
        new Expected("CNN002", Error, "Class 'NoInput' declares layers but no input shape; add [Network(channels, height, width)] to it"));

    [Fact, Triggers("CNN002")]
    public void CNN002_is_reported_once_on_the_first_layer_whatever_its_kind() => Reports(Source("""
        [[|Dense(10)|], Softmax]
        public partial class First { }

        [[|Softmax|]]
        public partial class Second { }
        """),
        new Expected("CNN002", Error, "Class 'First' declares layers but no input shape; add [Network(channels, height, width)] to it"),
        new Expected("CNN002", Error, "Class 'Second' declares layers but no input shape; add [Network(channels, height, width)] to it"));

    [Fact, Triggers("CNN002")]
    public void CNN002_is_reported_once_for_layers_on_two_partial_declarations_and_with_qualified_names() => Reports(Source("""
        [[|CnnGen.Dense(10)|]]
        public partial class Split { }

        [global::CnnGen.Softmax]
        public partial class Split { }
        """),
        new Expected("CNN002", Error, "Class 'Split' declares layers but no input shape; add [Network(channels, height, width)] to it"));

    [Fact, DoesNotTrigger("CNN002")]
    public void CNN002_is_not_reported_when_network_is_aliased() => DoesNotReport("CNN002",
        "using CnnGen;\nusing Net = CnnGen.NetworkAttribute;\nnamespace Samples;\n\n" + """
        [Net(1, 28, 28)]
        [Conv2D(6, 5), ReLU, MaxPool(2)]
        [Flatten, Dense(10), Softmax]
        public partial class Aliased { }
        """);

    [Fact]
    public void CNN002_is_not_reported_when_network_is_on_another_partial_declaration() => Reports(Source("""
        [Network(20)]
        public partial class Elsewhere { }

        [[|Dense(10)|], Softmax]
        public partial class Elsewhere { }
        """),
        new Expected("CNN008", Error, "Network 'Elsewhere' has layer attributes on more than one partial declaration; keep [Network] and all layers on one declaration so their order is defined"));

    [Fact, DoesNotTrigger("CNN002")]
    public void CNN002_layers_with_network_are_fine() => DoesNotReport("CNN002", Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 5), ReLU, MaxPool(2)]
        [Flatten, Dense(10), Softmax]
        public partial class NoInput { }
        """));

    // ---------------------------------------------------------------- CNN003 NonPositiveSize

    [Fact, Triggers("CNN003")]
    public void CNN003_zero_filters() => Reports(Source("""
        [Network(1, 28, 28)]
        [[|Conv2D(0, 5)|], ReLU, MaxPool(2)]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN003", Error, "Layer 'Conv1': filters must be positive, but is 0"));

    [Fact, Triggers("CNN003")]
    public void CNN003_every_bad_setting_of_every_layer_is_reported() => Reports(Source("""
        [Network(1, 28, 28)]
        [[|Conv2D(-1, 0, Stride = 0)|], ReLU, [|MaxPool(2, 0)|]]
        [Flatten, [|Dense(0)|], Softmax]
        public partial class Net { }
        """),
        new Expected("CNN003", Error, "Layer 'Conv1': filters must be positive, but is -1", 0),
        new Expected("CNN003", Error, "Layer 'Conv1': kernel must be positive, but is 0", 0),
        new Expected("CNN003", Error, "Layer 'Conv1': stride must be positive, but is 0", 0),
        new Expected("CNN003", Error, "Layer 'Pool1': stride must be positive, but is 0", 1),
        new Expected("CNN003", Error, "Layer 'Dense1': units must be positive, but is 0", 2));

    [Fact, Triggers("CNN003")]
    public void CNN003_non_positive_input_is_reported_on_network() => Reports(Source("""
        [[|Network(0, 28, -2)|]]
        [Conv2D(6, 5), ReLU, MaxPool(2)]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN003", Error, "Layer 'input': channels must be positive, but is 0", 0),
        new Expected("CNN003", Error, "Layer 'input': width must be positive, but is -2", 0));

    [Fact, DoesNotTrigger("CNN003")]
    public void CNN003_positive_sizes_are_fine() => DoesNotReport("CNN003", Source("""
        [Network(1, 28, 28)]
        [Conv2D(1, 1, Stride = 1), ReLU, MaxPool(1, 1)]
        [Flatten, Dense(1), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN004 KernelLargerThanInput

    [Fact, Triggers("CNN004")]
    public void CNN004_kernel_larger_than_input() => Reports(Source("""
        [Network(1, 28, 28)]
        [[|Conv2D(6, 31)|], ReLU]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN004", Error, "Layer 'Conv1': kernel 31x31 does not fit input 28x28 with padding 0"));

    [Fact, Triggers("CNN004")]
    public void CNN004_second_conv_sees_the_shrunk_input() => Reports(Source("""
        [Network(3, 12, 10)]
        [Conv2D(4, 3, Padding = 1), ReLU, MaxPool(2)]
        [[|Conv2D(8, 6)|], ReLU]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN004", Error, "Layer 'Conv2': kernel 6x6 does not fit input 6x5 with padding 0"));

    [Fact, DoesNotTrigger("CNN004")]
    public void CNN004_kernel_that_fits_thanks_to_padding_is_fine() => DoesNotReport("CNN004", Source("""
        [Network(1, 28, 28)]
        [Conv2D(2, 30, Padding = 1), ReLU]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN005 PoolLargerThanInput

    [Fact, Triggers("CNN005")]
    public void CNN005_pool_larger_than_input() => Reports(Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 5), ReLU, [|MaxPool(30)|]]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN005", Error, "Layer 'Pool1': pooling window 30x30 does not fit input 24x24"));

    [Fact, Triggers("CNN005")]
    public void CNN005_avg_pool_larger_than_input() => Reports(Source("""
        [Network(1, 4, 8)]
        [Conv2D(2, 1), [|AvgPool(5)|]]
        [Flatten, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN005", Error, "Layer 'AvgPool1': pooling window 5x5 does not fit input 4x8"));

    [Fact, DoesNotTrigger("CNN005")]
    public void CNN005_pool_as_large_as_input_is_fine() => DoesNotReport("CNN005", Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 5), ReLU, MaxPool(24)]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN006 StrideLeavesInputUnused

    [Fact, Triggers("CNN006")]
    public void CNN006_conv_stride_leaves_last_row_and_column() => Reports(Source("""
        [Network(1, 28, 28)]
        [[|Conv2D(6, 5, Stride = 2)|], ReLU]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN006", Warning, "Layer 'Conv1': window 5 with stride 2 on input 28x28 never reads the last 1 row(s) and 1 column(s)"));

    [Fact, Triggers("CNN006")]
    public void CNN006_pool_on_odd_input_still_generates_code() => Assert.Single(Reports(Source("""
        [Network(1, 7, 6)]
        [Conv2D(2, 2), ReLU, [|MaxPool(2)|]]
        [Flatten, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN006", Warning, "Layer 'Pool1': window 2 with stride 2 on input 6x5 never reads the last 0 row(s) and 1 column(s)")).Sources);

    [Fact, Triggers("CNN006")]
    public void CNN006_padding_smaller_than_the_unread_rows_still_warns() => Reports(Source("""
        [Network(1, 28, 28)]
        [[|Conv2D(6, 4, Stride = 3, Padding = 1)|], ReLU]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN006", Warning, "Layer 'Conv1': window 4 with stride 3 on input 30x30 never reads the last 2 row(s) and 2 column(s)"));

    /// <summary>A 3x3 convolution with stride 2 and padding 1 on an even size skips only the zero border's last row.</summary>
    [Fact, DoesNotTrigger("CNN006")]
    public void CNN006_only_padding_left_unread_is_fine() => DoesNotReport("CNN006", Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 3, Stride = 2, Padding = 1), ReLU]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """));

    [Fact, DoesNotTrigger("CNN006")]
    public void CNN006_stride_that_covers_the_input_is_fine() => DoesNotReport("CNN006", Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 4, Stride = 2), ReLU, MaxPool(13)]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN007 DenseNeedsFlatInput

    [Fact, Triggers("CNN007")]
    public void CNN007_dense_on_spatial_input() => Reports(Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 5), ReLU]
        [[|Dense(10)|], Softmax]
        public partial class Net { }
        """),
        new Expected("CNN007", Error, "Layer 'Dense1': Dense needs a flat input but gets 6x24x24; add [Flatten] before it"));

    [Fact, Triggers("CNN007")]
    public void CNN007_softmax_on_spatial_input() => Reports(Source("""
        [Network(1, 8, 8)]
        [Conv2D(3, 3), [|Softmax|]]
        public partial class Net { }
        """),
        new Expected("CNN007", Error, "Layer 'Softmax1': Softmax needs a flat input but gets 3x6x6; add [Flatten] before it"));

    [Fact, DoesNotTrigger("CNN007")]
    public void CNN007_dense_after_flatten_is_fine() => DoesNotReport("CNN007", Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 5), ReLU]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN008 LayersOnSeveralDeclarations

    [Fact, Triggers("CNN008")]
    public void CNN008_layers_on_two_partial_declarations() => Reports(Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 5), ReLU, MaxPool(2)]
        public partial class Split { }

        [[|Flatten|], Dense(10), Softmax]
        public partial class Split { }
        """),
        new Expected("CNN008", Error, "Network 'Split' has layer attributes on more than one partial declaration; keep [Network] and all layers on one declaration so their order is defined"));

    [Fact, Triggers("CNN008")]
    public void CNN008_layers_in_another_file() => Reports(new[]
        {
            Source("""
                [Network(1, 28, 28)]
                [Conv2D(6, 5), ReLU, MaxPool(2)]
                [Flatten, Dense(10), Softmax]
                public partial class Split { }
                """),
            Source("""
                [[|Dropout(0.5)|]]
                public partial class Split { }
                """),
        },
        new Expected("CNN008", Error, "Network 'Split' has layer attributes on more than one partial declaration; keep [Network] and all layers on one declaration so their order is defined"));

    [Fact, DoesNotTrigger("CNN008")]
    public void CNN008_other_partial_declarations_without_layers_are_fine() => DoesNotReport("CNN008",
        Source("""
            [Network(1, 28, 28)]
            [Conv2D(6, 5), ReLU, MaxPool(2)]
            [Flatten, Dense(10), Softmax]
            public partial class Split { }

            public partial class Split { public int Extra() => 1; }
            """),
        Source("""
            [System.Obsolete("unrelated attribute")]
            public partial class Split { }
            """));

    // ---------------------------------------------------------------- CNN009 MissingSoftmax

    [Fact, Triggers("CNN009")]
    public void CNN009_last_layer_is_not_softmax() => Reports(Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 5), ReLU]
        [Flatten, [|Dense(10)|]]
        public partial class Net { }
        """),
        new Expected("CNN009", Error, "Network 'Net' must end with [Softmax] (paired with cross-entropy loss); its last layer is Dense1 with output 10"));

    [Fact, Triggers("CNN009")]
    public void CNN009_no_layers_at_all() => Reports(Source("""
        [[|Network(10)|]]
        public partial class Empty { }
        """),
        new Expected("CNN009", Error, "Network 'Empty' must end with [Softmax] (paired with cross-entropy loss); its last layer is (none) with output unknown", 0),
        new Expected("CNN011", Error, "Network 'Empty' has no trainable parameters; add a Conv2D, Dense or BatchNorm layer", 0));

    [Fact, DoesNotTrigger("CNN009")]
    public void CNN009_ending_with_softmax_is_fine() => DoesNotReport("CNN009", Source("""
        [Network(1, 28, 28)]
        [Conv2D(6, 5), ReLU]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN010 MisplacedSoftmax

    [Fact, Triggers("CNN010")]
    public void CNN010_softmax_in_the_middle() => Reports(Source("""
        [Network(20)]
        [Dense(16), [|Softmax|], Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN010", Error, "Layer 'Softmax1': Softmax must be the last layer, but 2 layer(s) follow it"));

    [Fact, DoesNotTrigger("CNN010")]
    public void CNN010_single_final_softmax_is_fine() => DoesNotReport("CNN010", Source("""
        [Network(20)]
        [Dense(16), ReLU, Dense(3), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN011 NoParameters

    [Fact, Triggers("CNN011")]
    public void CNN011_nothing_to_train() => Reports(Source("""
        [[|Network(1, 4, 4)|]]
        [ReLU, MaxPool(2), Flatten, Softmax]
        public partial class Net { }
        """),
        new Expected("CNN011", Error, "Network 'Net' has no trainable parameters; add a Conv2D, Dense or BatchNorm layer"));

    [Fact, DoesNotTrigger("CNN011")]
    public void CNN011_batch_norm_alone_is_trainable() => DoesNotReport("CNN011", Source("""
        [Network(10)]
        [BatchNorm, Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN012 NestedClassUnsupported

    [Fact, Triggers("CNN012")]
    public void CNN012_nested_class() => Reports(Source("""
        public static partial class Outer
        {
            [[|Network(10)|]]
            [Dense(2), Softmax]
            public partial class Inner { }
        }
        """),
        new Expected("CNN012", Error, "Network 'Inner' is nested in 'Outer'; declare it as a top-level class"));

    [Fact, DoesNotTrigger("CNN012")]
    public void CNN012_top_level_class_is_fine() => DoesNotReport("CNN012", Source("""
        public static partial class Outer { }

        [Network(10)]
        [Dense(2), Softmax]
        public partial class Inner { }
        """));

    // ---------------------------------------------------------------- CNN013 GenericClassUnsupported

    [Fact, Triggers("CNN013")]
    public void CNN013_generic_class() => Reports(Source("""
        [[|Network(10)|]]
        [Dense(2), Softmax]
        public partial class Generic<T> { }
        """),
        new Expected("CNN013", Error, "Network 'Generic' is generic; network classes cannot have type parameters"));

    [Fact, DoesNotTrigger("CNN013")]
    public void CNN013_non_generic_class_is_fine() => DoesNotReport("CNN013", Source("""
        [Network(10)]
        [Dense(2), Softmax]
        public partial class Generic { }
        """));

    // ---------------------------------------------------------------- CNN022 RecordUnsupported

    [Fact, Triggers("CNN022")]
    public void CNN022_record() => Reports(Source("""
        [[|Network(1, 12, 12)|]]
        [Flatten, Dense(10), Softmax]
        public partial record Net { }
        """),
        new Expected("CNN022", Error, "Network 'Net' is a record; declare it as a partial class"));

    [Fact, DoesNotTrigger("CNN022")]
    public void CNN022_class_is_fine() => DoesNotReport("CNN022", Source("""
        [Network(1, 12, 12)]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN014 ArgumentOutOfRange

    [Fact, Triggers("CNN014")]
    public void CNN014_settings_out_of_range() => Reports(Source("""
        [Network(1, 12, 12)]
        [[|Conv2D(4, 3, Padding = -1)|], [|LeakyReLU(1.5)|]]
        [Flatten, [|Dropout(1)|], Dense(8), [|BatchNorm(Momentum = 0, Epsilon = 1)|], Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN014", Error, "Layer 'Conv1': padding must be zero or more, but is -1", 0),
        new Expected("CNN014", Error, "Layer 'LeakyRelu1': slope must be at least 0 and below 1, but is 1.5", 1),
        new Expected("CNN014", Error, "Layer 'Dropout1': rate must be at least 0 and below 1, but is 1", 2),
        new Expected("CNN014", Error, "Layer 'BatchNorm1': momentum must be above 0 and at most 1, but is 0", 3),
        new Expected("CNN014", Error, "Layer 'BatchNorm1': epsilon must be above 0 and below 1, but is 1", 3));

    [Fact, DoesNotTrigger("CNN014")]
    public void CNN014_settings_in_range_are_fine() => DoesNotReport("CNN014", Source("""
        [Network(1, 12, 12)]
        [Conv2D(4, 3, Padding = 0), LeakyReLU(0)]
        [Flatten, Dropout(0), Dense(8), BatchNorm(Momentum = 1, Epsilon = 0.5), Dense(3), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN015 NeedsSpatialInput

    [Fact, Triggers("CNN015")]
    public void CNN015_conv_on_flat_input() => Reports(Source("""
        [Network(20)]
        [[|Conv2D(4, 3)|], ReLU, Dense(2), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN015", Error, "Layer 'Conv1': Conv2D needs a channels x height x width input but gets a flat vector of 20"));

    [Fact, Triggers("CNN015")]
    public void CNN015_pool_after_flatten() => Reports(Source("""
        [Network(1, 8, 8)]
        [Flatten, [|AvgPool(2)|], Dense(2), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN015", Error, "Layer 'AvgPool1': AvgPool needs a channels x height x width input but gets a flat vector of 64"));

    [Fact, DoesNotTrigger("CNN015")]
    public void CNN015_conv_on_spatial_input_is_fine() => DoesNotReport("CNN015", Source("""
        [Network(1, 4, 5)]
        [Conv2D(4, 3), ReLU, Flatten, Dense(2), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN016 NotUnrolled

    [Fact, Triggers("CNN016")]
    public void CNN016_full_unroll_of_a_kernel_too_large() => Assert.Single(Reports(Source("""
        [Network(1, 64, 64, Unroll = Unroll.Full)]
        [[|Conv2D(16, 31)|], ReLU, MaxPool(2)]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN016", Info, "Layer 'Conv1': the 31x31 kernel window is not unrolled because 1922 unrolled statements exceed the per-method budget of 450; loops are emitted instead")).Sources);

    [Fact, Triggers("CNN016")]
    public void CNN016_kernel_whose_backward_pass_alone_is_too_large() => Reports(Source("""
        [Network(1, 20, 20, Unroll = Unroll.Full)]
        [[|Conv2D(2, 15)|], ReLU]
        [Flatten, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN016", Info, "Layer 'Conv1': the 15x15 kernel window of the backward pass is not unrolled because 675 unrolled statements exceed the per-method budget of 450; loops are emitted instead"));

    [Fact, Triggers("CNN016")]
    public void CNN016_full_unroll_of_a_pooling_window_too_large() => Reports(Source("""
        [Network(1, 40, 40, Unroll = Unroll.Full)]
        [Conv2D(2, 3), ReLU, [|MaxPool(19)|]]
        [Flatten, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN016", Info, "Layer 'Pool1': the 19x19 pooling window is not unrolled because 1083 unrolled statements exceed the per-method budget of 450; loops are emitted instead"));

    [Fact, DoesNotTrigger("CNN016")]
    public void CNN016_same_kernel_in_auto_mode_is_silent() => DoesNotReport("CNN016", Source("""
        [Network(1, 64, 64)]
        [Conv2D(16, 31), ReLU, MaxPool(2)]
        [Flatten, Dense(10), Softmax]
        public partial class Net { }
        """));

    [Fact, DoesNotTrigger("CNN016")]
    public void CNN016_full_unroll_of_a_small_kernel_is_silent() => DoesNotReport("CNN016", Source("""
        [Network(1, 20, 20, Unroll = Unroll.Full)]
        [Conv2D(2, 12), ReLU, MaxPool(9)]
        [Flatten, Dense(3), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN017 InvalidLayerName

    [Fact, Triggers("CNN017")]
    public void CNN017_invalid_layer_names() => Reports(Source("""
        [Network(20)]
        [[|Dense(16, Name = "1st")|], [|ReLU(Name = "has space")|], [|Dense(3, Name = "")|], Softmax]
        public partial class Net { }
        """),
        new Expected("CNN017", Error, "Layer name '1st' is not a valid C# identifier"),
        new Expected("CNN017", Error, "Layer name 'has space' is not a valid C# identifier"),
        new Expected("CNN017", Error, "Layer name '' is not a valid C# identifier"));

    [Fact, DoesNotTrigger("CNN017")]
    public void CNN017_identifier_names_are_fine() => DoesNotReport("CNN017", Source("""
        [Network(20)]
        [Dense(16, Name = "_first1"), ReLU(Name = "Gate"), Dense(3, Name = "Out"), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN018 DuplicateLayerName

    [Fact, Triggers("CNN018")]
    public void CNN018_user_names_differing_only_in_case() => Reports(Source("""
        [Network(20)]
        [Dense(16, Name = "Hidden"), ReLU, [|Dense(3, Name = "hidden")|], Softmax]
        public partial class Net { }
        """),
        new Expected("CNN018", Error, "Layer name 'hidden' is used by more than one layer"));

    [Fact, Triggers("CNN018")]
    public void CNN018_user_name_taken_by_a_default_name() => Reports(Source("""
        [Network(20)]
        [Dense(16, Name = "Dense2"), ReLU, [|Dense(3)|], Softmax]
        public partial class Net { }
        """),
        new Expected("CNN018", Error, "Layer name 'Dense2' is used by more than one layer"));

    [Fact, DoesNotTrigger("CNN018")]
    public void CNN018_distinct_names_are_fine() => DoesNotReport("CNN018", Source("""
        [Network(20)]
        [Dense(16, Name = "Hidden"), ReLU, Dense(3, Name = "Dense1"), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN019 NetworkTooLarge

    [Fact, Triggers("CNN019")]
    public void CNN019_input_too_large() => Reports(Source("""
        [[|Network(1, 10000, 10000)|]]
        [Flatten, Dense(2), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN019", Error, "Layer 'input': input of 100000000 values exceeds the supported maximum of 67108864"));

    [Fact, Triggers("CNN019")]
    public void CNN019_input_whose_size_overflows_64_bits() => Reports(Source("""
        [[|Network(4194304, 2097152, 2097152)|]]
        [Flatten, Dense(2), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN019", Error, "Layer 'input': input of 18446744073709551616 values exceeds the supported maximum of 67108864"));

    [Fact, Triggers("CNN019")]
    public void CNN019_dense_weights_too_many() => Reports(Source("""
        [Network(10000)]
        [[|Dense(10000)|], Softmax]
        public partial class Net { }
        """),
        new Expected("CNN019", Error, "Layer 'Dense1': the weight count of 100000000 values exceeds the supported maximum of 67108864"));

    [Fact, Triggers("CNN019")]
    public void CNN019_conv_output_too_large() => Reports(Source("""
        [Network(1, 1000, 1000)]
        [[|Conv2D(100, 1)|], ReLU]
        [Flatten, Dense(2), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN019", Error, "Layer 'Conv1': the output of 100000000 values exceeds the supported maximum of 67108864"));

    [Fact, Triggers("CNN019")]
    public void CNN019_huge_padding_does_not_overflow() => Reports(Source("""
        [Network(1, 28, 28)]
        [[|Conv2D(6, 5, Padding = 1100000000)|], ReLU]
        [Flatten, Dense(2), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN019", Error, "Layer 'Conv1': the padded input of 4840000123200000784 values exceeds the supported maximum of 67108864"));

    [Fact, DoesNotTrigger("CNN019")]
    public void CNN019_large_but_supported_network_is_fine() => DoesNotReport("CNN019", Source("""
        [Network(1, 1000, 1000)]
        [MaxPool(10), Flatten, Dense(2), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN021 FlattenOnFlatInput

    [Fact, Triggers("CNN021")]
    public void CNN021_flatten_on_flat_input() => Assert.Single(Reports(Source("""
        [Network(20)]
        [[|Flatten|], Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN021", Warning, "Layer 'Flatten1': the input is already a flat vector of 20; this Flatten does nothing")).Sources);

    [Fact, DoesNotTrigger("CNN021")]
    public void CNN021_single_flatten_on_spatial_input_is_fine() => DoesNotReport("CNN021", Source("""
        [Network(2, 3, 4)]
        [Flatten, Dense(3), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- several at once

    [Fact]
    public void Several_errors_at_once()
    {
        var run = GeneratorHarness.Run(Source("""
            [Network(1, 28, 28)]
            [Conv2D(0, 5), ReLU, MaxPool(2, 0)]
            [LeakyReLU(2.0), Dense(10, Name = "bad name")]
            [Softmax, Dropout(0.5)]
            public class Broken { }
            """)).AssertNoExceptionAndCompilesClean();
        Assert.Empty(run.Sources);
        SnapshotAssert.Diagnostics(this, run);
    }

    // ---------------------------------------------------------------- CNN023 ResidualShapeMismatch

    [Fact, Triggers("CNN023")]
    public void CNN023_block_changes_the_shape_without_projection() => Reports(Source("""
        [Network(1, 8, 8)]
        [Conv2D(4, 3, Padding = 1), ReLU]
        [Residual, Conv2D(8, 3, Stride = 2, Padding = 1), ReLU, [|Add|]]
        [GlobalAvgPool, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN023", Error, "Layer 'Add1': the block's input 4x8x8 and its output 8x4x4 differ; set Projection = true to add the input through a strided 1x1 convolution"));

    [Fact, DoesNotTrigger("CNN023")]
    public void CNN023_same_shape_or_projection_is_fine() => DoesNotReport("CNN023", Source("""
        [Network(1, 8, 8)]
        [Conv2D(4, 3, Padding = 1), ReLU]
        [Residual, Conv2D(4, 3, Padding = 1), ReLU, Add]
        [Residual, Conv2D(8, 3, Stride = 2, Padding = 1), ReLU, Add(Projection = true)]
        [GlobalAvgPool, Dense(3), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN024 ProjectionImpossible

    [Fact, Triggers("CNN024")]
    public void CNN024_no_stride_maps_the_input_to_the_output() => Reports(Source("""
        [Network(1, 8, 8)]
        [Residual, Conv2D(4, 3), ReLU, [|Add(Projection = true)|]]
        [Flatten, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN024", Error, "Layer 'Add1': no strided 1x1 convolution maps the block's input 1x8x8 to its output 4x6x6"));

    [Fact, DoesNotTrigger("CNN024")]
    public void CNN024_a_stride_that_fits_is_fine() => DoesNotReport("CNN024", Source("""
        [Network(1, 8, 8)]
        [Residual, Conv2D(4, 3, Stride = 2, Padding = 1), ReLU, Add(Projection = true)]
        [Flatten, Dense(3), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN025 AddWithoutResidual

    [Fact, Triggers("CNN025")]
    public void CNN025_add_without_residual() => Reports(Source("""
        [Network(1, 8, 8)]
        [Conv2D(4, 3, Padding = 1), ReLU, [|Add|]]
        [GlobalAvgPool, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN025", Error, "Layer 'Add1' closes no residual block; put [Residual] where the block starts"));

    [Fact, Triggers("CNN025")]
    public void CNN025_second_add_after_a_closed_block() => Reports(Source("""
        [Network(1, 8, 8)]
        [Residual, Conv2D(1, 3, Padding = 1), Add, ReLU, [|Add|]]
        [GlobalAvgPool, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN025", Error, "Layer 'Add2' closes no residual block; put [Residual] where the block starts"));

    [Fact, DoesNotTrigger("CNN025")]
    public void CNN025_add_closing_a_block_is_fine() => DoesNotReport("CNN025", Source("""
        [Network(1, 8, 8)]
        [Residual, Conv2D(1, 3, Padding = 1), Add, ReLU]
        [GlobalAvgPool, Dense(3), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN026 ResidualNotClosed

    [Fact, Triggers("CNN026")]
    public void CNN026_residual_never_closed() => Reports(Source("""
        [Network(1, 8, 8)]
        [Conv2D(4, 3, Padding = 1), ReLU, [|Residual|], Conv2D(4, 3, Padding = 1)]
        [GlobalAvgPool, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN026", Error, "Layer 'Res1' opens a residual block that no [Add] closes"));

    [Fact, DoesNotTrigger("CNN026")]
    public void CNN026_closed_block_is_fine() => DoesNotReport("CNN026", Source("""
        [Network(1, 8, 8)]
        [Conv2D(4, 3, Padding = 1), ReLU, Residual, Conv2D(4, 3, Padding = 1), Add]
        [GlobalAvgPool, Dense(3), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN027 NestedResidual

    [Fact, Triggers("CNN027")]
    public void CNN027_nested_blocks() => Reports(Source("""
        [Network(1, 8, 8)]
        [Residual, Conv2D(1, 3, Padding = 1), [|Residual|], Conv2D(1, 3, Padding = 1), Add, Add]
        [GlobalAvgPool, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN027", Error, "Layer 'Res2': residual blocks cannot be nested; close the block opened by 'Res1' with [Add] first"));

    [Fact, DoesNotTrigger("CNN027")]
    public void CNN027_blocks_one_after_the_other_are_fine() => DoesNotReport("CNN027", Source("""
        [Network(1, 8, 8)]
        [Residual, Conv2D(1, 3, Padding = 1), Add, Residual, Conv2D(1, 3, Padding = 1), Add]
        [GlobalAvgPool, Dense(3), Softmax]
        public partial class Net { }
        """));

    // ---------------------------------------------------------------- CNN028 GroupsDoNotDivide

    [Fact, Triggers("CNN028")]
    public void CNN028_groups_do_not_divide_the_channels() => Reports(Source("""
        [Network(3, 8, 8)]
        [[|Conv2D(4, 3, Groups = 2)|], ReLU]
        [Flatten, Dense(3), Softmax]
        public partial class Net { }
        """),
        new Expected("CNN028", Error, "Layer 'Conv1': 2 groups must divide both its 3 input channels and its 4 filters"));

    [Fact, DoesNotTrigger("CNN028")]
    public void CNN028_groups_that_divide_and_depthwise_are_fine() => DoesNotReport("CNN028", Source("""
        [Network(4, 8, 8)]
        [Conv2D(6, 3, Groups = 2), ReLU, Conv2D(12, 3, Groups = 6), ReLU]
        [Flatten, Dense(3), Softmax]
        public partial class Net { }
        """));
}
