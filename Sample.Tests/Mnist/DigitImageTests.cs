using System.Collections.Generic;
using System.Linq;
using System.Text;
using CnnGen.Sample.Mnist.Cli;
using CnnGen.Sample.Mnist.Images;
using Xunit;

namespace CnnGen.Sample.Tests.Mnist;

/// <summary>The hand-written PGM parser and the conversion of any picture into a 28 x 28 MNIST-style digit.</summary>
public sealed class DigitImageTests
{
    [Fact]
    public void Binary_and_ascii_PGM_with_comments_and_16_bit_values_parse()
    {
        var p5 = DigitImage.ParsePgm([.. Encoding.ASCII.GetBytes("P5\n# comment\n3 2\n# another\n255\n"), 0, 10, 20, 30, 40, 255], "a.pgm");
        Assert.Equal((3, 2), (p5.Width, p5.Height));
        Assert.Equal(new byte[] { 0, 10, 20, 30, 40, 255 }, p5.Gray);

        var p2 = DigitImage.ParsePgm(Encoding.ASCII.GetBytes("P2 2 2 15\n0 15\n# mid\n5 10\n"), "b.pgm");
        Assert.Equal(new byte[] { 0, 255, 85, 170 }, p2.Gray);

        var wide = DigitImage.ParsePgm([.. Encoding.ASCII.GetBytes("P5 2 1 65535\n"), 0xFF, 0xFF, 0x80, 0x00], "c.pgm");
        Assert.Equal(new byte[] { 255, 128 }, wide.Gray);
    }

    [Theory]
    [InlineData("P5\n28\n", "height")]
    [InlineData("P5\n0 5\n255\n", "not supported")]
    [InlineData("P2\n1 1\n10\n11\n", "exceeds maxval")]
    [InlineData("P5\n2 2\n255\nab", "truncated")]
    public void Broken_PGM_gives_a_user_error_naming_the_problem(string text, string expected)
    {
        var error = Assert.Throws<UserException>(() => DigitImage.ParsePgm(Encoding.ASCII.GetBytes(text), "bad.pgm"));
        Assert.Contains("bad.pgm", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_dark_digit_on_white_is_inverted_and_other_sizes_are_scaled()
    {
        // A 56 x 28 white picture with a black bar in the middle.
        var gray = Enumerable.Repeat((byte)255, 56 * 28).ToArray();
        for (int y = 10; y < 18; y++) for (int x = 20; x < 36; x++) gray[y * 56 + x] = 0;
        var notes = new List<string>();

        var digit = DigitImage.FromGray(gray, 56, 28, notes);

        Assert.Equal(28 * 28, digit.Pixels.Length);
        Assert.Contains(notes, n => n.Contains("inverted"));
        Assert.Contains(notes, n => n.Contains("scaled from 56 x 28"));
        // Aspect ratio kept: 28 x 14 in the middle, black padding above and below, the bar light.
        Assert.Equal(0, digit.Pixels[0]);
        Assert.True(digit.Pixels[14 * 28 + 14] > 200);
    }

    [Fact]
    public void A_28_by_28_light_on_dark_digit_is_used_as_is()
    {
        var gray = new byte[28 * 28];
        gray[100] = 255;
        var notes = new List<string>();
        var digit = DigitImage.FromGray(gray, 28, 28, notes);
        Assert.Empty(notes);
        Assert.Equal(gray, digit.Pixels);
    }
}
