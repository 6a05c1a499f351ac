using System.Threading.Tasks;
using Xunit;

namespace CnnGen.CodeFixes.Tests;

/// <summary>CNN001 (not partial) and CNN022 (a record): fixes on the class declaration.</summary>
public class ClassFixTests
{
    [Fact]
    public Task CNN001_adds_partial_before_class_after_the_other_modifiers() =>
        Verify<AddPartialFix>.FixAsync("""
            using CnnGen;

            namespace Demo;

            [{|CNN001:Network(1, 8, 8)|}]
            [Conv2D(4, 3), ReLU, MaxPool(2)]
            [Flatten, Dense(2), Softmax]
            public sealed class Tiny { }
            """, """
            using CnnGen;

            namespace Demo;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU, MaxPool(2)]
            [Flatten, Dense(2), Softmax]
            public sealed partial class Tiny { }
            """);

    [Fact]
    public Task CNN001_without_modifiers_and_with_the_attributes_in_one_list() =>
        Verify<AddPartialFix>.FixAsync("""
            using CnnGen;

            [{|CNN001:Network(16)|}, Dense(8), ReLU,
             Dense(2), Softmax]
            class Flat
            {
                public int Epochs => 3;
            }
            """, """
            using CnnGen;

            [Network(16), Dense(8), ReLU,
             Dense(2), Softmax]
            partial class Flat
            {
                public int Epochs => 3;
            }
            """);

    [Fact]
    public Task CNN001_fix_all_in_the_project_makes_every_network_partial()
    {
        var test = new CnnFixTest<AddPartialFix>();
        test.TestState.Sources.Add(("First.cs", """
            using CnnGen;

            [{|CNN001:Network(16)|}]
            [Dense(8), ReLU, Dense(2), Softmax]
            public class First { }
            """));
        test.TestState.Sources.Add(("Second.cs", """
            using CnnGen;

            [{|CNN001:Network(1, 4, 4)|}]
            [Flatten, Dense(2), Softmax]
            internal class Second { }
            """));
        test.FixedState.Sources.Add(("First.cs", """
            using CnnGen;

            [Network(16)]
            [Dense(8), ReLU, Dense(2), Softmax]
            public partial class First { }
            """));
        test.FixedState.Sources.Add(("Second.cs", """
            using CnnGen;

            [Network(1, 4, 4)]
            [Flatten, Dense(2), Softmax]
            internal partial class Second { }
            """));
        return test.RunAsync();
    }

    [Fact]
    public Task CNN022_turns_a_bodiless_record_into_a_partial_class() =>
        Verify<RecordToClassFix>.FixAsync("""
            using CnnGen;

            [{|CNN022:Network(1, 8, 8)|}]
            [Conv2D(4, 3), ReLU, MaxPool(2)]
            [Flatten, Dense(2), Softmax]
            public record Tiny;
            """, """
            using CnnGen;

            [Network(1, 8, 8)]
            [Conv2D(4, 3), ReLU, MaxPool(2)]
            [Flatten, Dense(2), Softmax]
            public partial class Tiny { }
            """);

    [Fact]
    public Task CNN022_keeps_modifiers_and_members_of_a_partial_record_class() =>
        Verify<RecordToClassFix>.FixAsync("""
            using CnnGen;

            [{|CNN022:Network(16)|}]
            [Dense(8), ReLU, Dense(2), Softmax]
            internal sealed partial record class Flat
            {
                public int Epochs => 3;
            }
            """, """
            using CnnGen;

            [Network(16)]
            [Dense(8), ReLU, Dense(2), Softmax]
            internal sealed partial class Flat
            {
                public int Epochs => 3;
            }
            """);

    [Fact]
    public Task CNN022_offers_no_fix_for_a_record_deriving_from_a_record() =>
        // A class cannot derive from a record (CS8865), so turning only the network into a class would not compile.
        Verify<RecordToClassFix>.NoFixAsync("""
            using CnnGen;

            public record Base;

            [{|CNN022:Network(16)|}]
            [Dense(8), ReLU, Dense(2), Softmax]
            public record Flat : Base;
            """);

    [Fact]
    public Task CNN022_offers_no_fix_for_a_positional_record() =>
        Verify<RecordToClassFix>.NoFixAsync("""
            using CnnGen;

            [{|CNN022:Network(16)|}]
            [Dense(8), ReLU, Dense(2), Softmax]
            public record Flat(int Epochs);
            """);
}
