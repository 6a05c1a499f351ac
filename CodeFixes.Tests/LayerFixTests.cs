using System.Threading.Tasks;
using Xunit;

namespace CnnGen.CodeFixes.Tests;

/// <summary>CNN007, CNN009, CNN010, CNN021: fixes that insert, append, move or remove a layer attribute.</summary>
public class LayerFixTests
{
    [Fact]
    public Task CNN007_inserts_Flatten_before_Dense_in_a_list_split_over_lines() =>
        Verify<InsertFlattenFix>.FixAsync("""
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU, MaxPool(2),
             {|CNN007:Dense(2)|}, Softmax]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU, MaxPool(2),
             Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN007_writes_Flatten_the_way_the_Dense_is_written() =>
        Verify<InsertFlattenFix>.FixAsync("""
            [CnnGen.Network(1, 8, 8)]
            [CnnGen.Conv2D(4, 3), CnnGen.ReLU, CnnGen.MaxPool(2)]
            [{|CNN007:CnnGen.DenseAttribute(2, Bias = false)|}, CnnGen.Softmax]
            public partial class Tiny { }
            """, """
            [CnnGen.Network(1, 8, 8)]
            [CnnGen.Conv2D(4, 3), CnnGen.ReLU, CnnGen.MaxPool(2)]
            [CnnGen.FlattenAttribute, CnnGen.DenseAttribute(2, Bias = false), CnnGen.Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN007_inserts_Flatten_before_a_final_Softmax_on_a_spatial_input() =>
        Verify<InsertFlattenFix>.FixAsync("""
            using CnnGen;

            [Network(1, 4, 4)]
            [Conv2D(2, 3), ReLU]
            [{|CNN007:Softmax|}]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 4, 4)]
            [Conv2D(2, 3), ReLU]
            [Flatten, Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN009_appends_Softmax_after_the_last_layer() =>
        Verify<AppendSoftmaxFix>.FixAsync("""
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU, MaxPool(2)]
            [Flatten,
             {|CNN009:Dense(2, Name = "Logits")|}]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU, MaxPool(2)]
            [Flatten,
             Dense(2, Name = "Logits"), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN009_offers_no_second_Softmax_when_one_is_misplaced() =>
        Verify<AppendSoftmaxFix>.NoFixAsync("""
            using CnnGen;

            [Network(16)]
            [Dense(4), {|CNN010:Softmax|}, {|CNN009:Dense(2)|}]
            public partial class Flat { }
            """);

    [Fact]
    public Task CNN010_moves_Softmax_to_the_end_of_its_list() =>
        Verify<MoveSoftmaxFix>.FixAsync("""
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU, MaxPool(2)]
            [Flatten, {|CNN010:Softmax|}, {|CNN009:Dense(2)|}]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU, MaxPool(2)]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN010_moves_Softmax_with_its_arguments_out_of_a_list_of_its_own() =>
        Verify<MoveSoftmaxFix>.FixAsync("""
            using CnnGen;

            [Network(16)]
            [Dense(8), ReLU]
            [{|CNN010:Softmax(Name = "Probabilities")|}]
            [{|CNN009:Dense(2)|}]
            public partial class Flat { }
            """, """
            using CnnGen;

            [Network(16)]
            [Dense(8), ReLU]
            [Dense(2), Softmax(Name = "Probabilities")]
            public partial class Flat { }
            """);

    [Fact]
    public Task CNN010_moves_the_last_Softmax_of_a_list_after_a_layer_in_a_later_list() =>
        Verify<MoveSoftmaxFix>.FixAsync("""
            using CnnGen;

            [Network(16)]
            [Dense(8), ReLU, {|CNN010:Softmax|}]
            // the output layer
            [{|CNN009:Dense(2)|}]
            public partial class Flat { }
            """, """
            using CnnGen;

            [Network(16)]
            [Dense(8), ReLU]
            // the output layer
            [Dense(2), Softmax]
            public partial class Flat { }
            """);

    [Fact]
    public Task CNN021_removes_Flatten_and_its_comma() =>
        Verify<RemoveFlattenFix>.FixAsync("""
            using CnnGen;

            [Network(16)]
            [{|CNN021:Flatten|}, Dense(8), ReLU, Dense(2), Softmax]
            public partial class Flat { }
            """, """
            using CnnGen;

            [Network(16)]
            [Dense(8), ReLU, Dense(2), Softmax]
            public partial class Flat { }
            """);

    [Fact]
    public Task CNN021_removes_the_line_of_a_Flatten_in_a_list_of_its_own() =>
        Verify<RemoveFlattenFix>.FixAsync("""
            using CnnGen;

            [Network(16)]
            [{|CNN021:Flatten|}]
            [Dense(8), ReLU, Dense(2), Softmax]
            public partial class Flat { }
            """, """
            using CnnGen;

            [Network(16)]
            [Dense(8), ReLU, Dense(2), Softmax]
            public partial class Flat { }
            """);

    [Fact]
    public Task CNN021_fix_all_removes_every_needless_Flatten_in_the_document() =>
        Verify<RemoveFlattenFix>.FixAsync("""
            using CnnGen;

            [Network(16)]
            [Dense(8), {|CNN021:Flatten|},
             ReLU, Dense(2), Softmax]
            public partial class First { }

            [Network(1, 4, 4)]
            [Flatten, Dense(8), ReLU, {|CNN021:Flatten|}]
            [Dense(2), Softmax]
            public partial class Second { }
            """, """
            using CnnGen;

            [Network(16)]
            [Dense(8), ReLU, Dense(2), Softmax]
            public partial class First { }

            [Network(1, 4, 4)]
            [Flatten, Dense(8), ReLU]
            [Dense(2), Softmax]
            public partial class Second { }
            """);
}
