using System.Threading.Tasks;
using Xunit;

namespace CnnGen.CodeFixes.Tests;

/// <summary>CNN004, CNN005, CNN006, CNN018: fixes that write a number (or name) the generator computed.</summary>
public class NumberFixTests
{
    [Fact]
    public Task CNN004_appends_the_padding_that_makes_the_kernel_fit() =>
        Verify<PaddingFix>.FixAsync("""
            using CnnGen;

            [Network(1, 8, 8)]
            [{|CNN004:Conv2D(4, 9)|}, ReLU, MaxPool(2)]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 9, Padding = 1), ReLU, MaxPool(2)]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN004_with_a_stride_takes_the_padding_that_also_leaves_no_row_unused() =>
        // Padding 1 would fit (8 >= 7) but leave a row (8 - 7 = 1, stride 3); padding 2 fits and covers all.
        Verify<PaddingFix>.FixAsync("""
            using CnnGen;

            [Network(1, 6, 6)]
            [{|CNN004:Conv2D(4, 7, Stride = 3)|}, ReLU]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 6, 6)]
            [Conv2D(4, 7, Stride = 3, Padding = 2), ReLU]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN004_replaces_a_padding_that_is_written_and_fix_all_gives_each_layer_its_own() =>
        Verify<PaddingFix>.FixAsync("""
            using CnnGen;

            [Network(1, 6, 6)]
            [{|CNN004:Conv2D(4,
                    9,
                    Padding = 0 /* too small */)|}, ReLU]
            [Flatten, Dense(2), Softmax]
            public partial class First { }

            [Network(1, 4, 4)]
            [{|CNN004:Conv2D(4, 7, Padding = 1)|}, ReLU]
            [Flatten, Dense(2), Softmax]
            public partial class Second { }
            """, """
            using CnnGen;

            [Network(1, 6, 6)]
            [Conv2D(4,
                    9,
                    Padding = 2 /* too small */), ReLU]
            [Flatten, Dense(2), Softmax]
            public partial class First { }

            [Network(1, 4, 4)]
            [Conv2D(4, 7, Padding = 2), ReLU]
            [Flatten, Dense(2), Softmax]
            public partial class Second { }
            """);

    [Fact]
    public Task CNN006_sets_the_padding_that_uses_the_unused_rows() =>
        // 9 - 5 = 4 rows past the first window, stride 3: one row unused; padding 1 gives 6, a multiple of 3.
        Verify<PaddingFix>.FixAsync("""
            using CnnGen;

            [Network(1, 9, 9)]
            [{|CNN006:Conv2D(4, 5, Stride = 3)|}, ReLU]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 9, 9)]
            [Conv2D(4, 5, Stride = 3, Padding = 1), ReLU]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN006_offers_no_padding_when_none_can_cover_the_rows() =>
        // Stride 2 and an odd remainder: padding adds rows two at a time, so the remainder stays odd.
        Verify<PaddingFix>.NoFixAsync("""
            using CnnGen;

            [Network(1, 8, 8)]
            [{|CNN006:Conv2D(4, 3, Stride = 2)|}, ReLU]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN006_on_a_pooling_window_offers_no_padding() =>
        Verify<PaddingFix>.NoFixAsync("""
            using CnnGen;

            [Network(1, 5, 5)]
            [Conv2D(4, 1), ReLU, {|CNN006:MaxPool(2)|}]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN005_sets_the_largest_window_that_fits() =>
        Verify<PoolSizeFix>.FixAsync("""
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU, {|CNN005:MaxPool(8)|}]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU, MaxPool(6)]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN005_finds_the_size_among_named_constructor_arguments() =>
        Verify<PoolSizeFix>.FixAsync("""
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU,
             {|CNN005:AvgPool(stride: 2, size: 8)|}]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU,
             AvgPool(stride: 2, size: 6)]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN018_renames_the_second_of_two_user_names() =>
        Verify<UniqueNameFix>.FixAsync("""
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3, Name = "Features"), ReLU, {|CNN018:Conv2D(4, 3, Name = "Features")|}]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3, Name = "Features"), ReLU, Conv2D(4, 3, Name = "Features_2")]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN018_names_a_layer_whose_generated_name_is_taken() =>
        // The second ReLU would be Relu2, which the first one took: it gets an argument list with a Name.
        Verify<UniqueNameFix>.FixAsync("""
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU(Name = "Relu2"), {|CNN018:ReLU|}]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """, """
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU(Name = "Relu2"), ReLU(Name = "Relu2_2")]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN018_fix_all_gives_three_equal_names_three_different_ones() =>
        Verify<UniqueNameFix>.FixAsync("""
            using CnnGen;

            [Network(16)]
            [Dense(8, Name = "Hidden"), ReLU, {|CNN018:Dense(8, Name = "Hidden")|}, ReLU, {|CNN018:Dense(8, Name = "Hidden")|}]
            [Dense(2), Softmax]
            public partial class Flat { }
            """, """
            using CnnGen;

            [Network(16)]
            [Dense(8, Name = "Hidden"), ReLU, Dense(8, Name = "Hidden_2"), ReLU, Dense(8, Name = "Hidden_3")]
            [Dense(2), Softmax]
            public partial class Flat { }
            """);
}
