using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;
using Xunit;
using Xunit.Abstractions;

namespace CnnGen.Sample.Web.Tests;

/// <summary>The published page in headless Chromium: it loads, classifies drawn digits, trains, and shows its code.</summary>
[Collection("browser")]
public sealed class PageTests(WebAppFixture web, ITestOutputHelper output)
{
    private IWebDriver Browser => web.Driver;

    private void Open()
    {
        var clock = Stopwatch.StartNew();
        Browser.Navigate().GoToUrl(web.Server.Url);
        string first = WaitForText("first-prediction", t => t != "-", TimeSpan.FromMinutes(2));
        output.WriteLine($"page loaded, first prediction after navigation start: {first} (test clock {clock.ElapsedMilliseconds} ms)");
        Assert.Empty(Browser.FindElements(By.Id("error")));
    }

    [Fact]
    public void PageLoadsWithTheModelAndTheGeneratedCodeOfEveryLayer()
    {
        Open();
        string lanes = Text("lanes");
        output.WriteLine("lanes: " + lanes);
        Assert.Contains("Vector128 accelerated", lanes); // WebAssembly SIMD is on
        Assert.Contains("preferred lanes 1", lanes); // and yet one sample per value: see NetworkWorkspace.PreferredLanes
        Assert.Contains("lenet5.model", Text("model"));
        // the generated C# beside each layer: the forward kernel by name, from the file the build generated
        string conv1 = Browser.FindElement(By.CssSelector("#layer-Conv1 .layer-code pre")).GetAttribute("textContent") ?? "";
        Assert.Contains("private static void Conv1_Forward<TLane>", conv1);
        Assert.Contains("const int C = 1, H = 32, W = 32, OC = 6, K = 5", conv1);
        string dense3 = Browser.FindElement(By.CssSelector("#layer-Dense3 .layer-code pre")).GetAttribute("textContent") ?? "";
        Assert.Contains("Dense3_Forward", dense3);
        Assert.DoesNotContain("Dense2_Forward", dense3);
    }

    [Fact]
    public void ADrawnSevenIsASevenAndADrawnOneIsAOne()
    {
        Open();
        Draw(a => a.MoveByOffset(-85, -95).ClickAndHold().Stroke(170, 0).Stroke(-90, 200).Release()); // bar and stem of a 7
        string seven = WaitForText("prediction", t => t != "-", TimeSpan.FromSeconds(60), settle: true);
        Screenshot("sample-web-seven.png");
        output.WriteLine($"7: read as {seven}, p(7) = {Text("p7")}, Predict {Text("last-latency")}");
        Assert.Equal("7", seven);

        Browser.FindElement(By.Id("clear")).Click();
        WaitForText("prediction", t => t == "-", TimeSpan.FromSeconds(30));
        Draw(a => a.MoveByOffset(0, -100).ClickAndHold().Stroke(-10, 200).Release()); // a 1
        Assert.Equal("1", WaitForText("prediction", t => t != "-", TimeSpan.FromSeconds(60), settle: true));
        output.WriteLine($"1: p = {Text("p1")}");

        // the layer pictures come from the generated Predict's buffers: Conv1's canvas holds 6 maps of 28x28 at 2x
        var conv1 = Browser.FindElement(By.CssSelector("#layer-Conv1 canvas"));
        Assert.Equal("346", conv1.GetAttribute("width")); // 6 columns x (56 + 2) - 2
    }

    [Fact]
    public void AShortTrainingRunInThePageLowersTheLossAndThenDrivesThePad()
    {
        Open();
        Browser.FindElement(By.Id("train")).Click();
        var clock = Stopwatch.StartNew();
        WaitForText("steps", t => int.Parse(t, CultureInfo.InvariantCulture) >= 40, TimeSpan.FromMinutes(4));
        output.WriteLine($"40 batches of 32 in {clock.Elapsed.TotalSeconds:F1} s; {Text("train-rate")}");
        // read the step and press Stop in one script (a WebDriver command waits while a batch runs), then see where it stopped
        long atStop = (long)((IJavaScriptExecutor)Browser).ExecuteScript(
            "const steps = Number(document.getElementById('steps').textContent); document.getElementById('stop').click(); return steps;")!;
        string accuracy = WaitForText("test-accuracy", t => t != "-", TimeSpan.FromMinutes(3));
        long stopped = long.Parse(Text("steps"), CultureInfo.InvariantCulture);
        Assert.True(stopped - atStop <= 2, $"Stop was pressed at step {atStop}, training went on to {stopped}");
        double first = double.Parse(Text("loss-first"), CultureInfo.InvariantCulture), last = double.Parse(Text("loss-last"), CultureInfo.InvariantCulture);
        output.WriteLine($"loss: first 10 batches {first:F4}, last 10 {last:F4}; steps {atStop} when Stop was clicked, {Text("steps")} in all; test accuracy {accuracy}; {Text("train-status")}");
        Assert.True(last < 0.8 * first, $"the loss did not fall: {first} -> {last}");
        Assert.Contains("trained in this page", Text("model"));
        // the trained weights now drive the pad: draw a 7 for the README's screenshot (the run's length varies: no assertion)
        Draw(a => a.MoveByOffset(-85, -95).ClickAndHold().Stroke(170, 0).Stroke(-90, 200).Release());
        output.WriteLine($"a 7 on the pad with the weights trained here reads as {WaitForText("prediction", t => t != "-", TimeSpan.FromSeconds(60), settle: true)}");
        Screenshot("sample-web.png");
    }

    [Fact]
    public void PredictLatencyIsMeasuredWithAndWithoutSimdLanes()
    {
        Open();
        Draw(a => a.MoveByOffset(-85, -95).ClickAndHold().Stroke(170, 0).Stroke(-90, 200).Release());
        WaitForText("prediction", t => t != "-", TimeSpan.FromSeconds(60), settle: true);
        Browser.FindElement(By.Id("measure")).Click();
        string lane1 = WaitForText("latency-lane1", t => t != "-", TimeSpan.FromMinutes(3));
        output.WriteLine($"Predict<Lane1> {lane1}, Predict<Lane4> {Text("latency-lane4")}, Predict<Lane4Mad> {Text("latency-lane4mad")}; " +
                         $"first prediction {Text("first-prediction")}; {Text("agreement")}");
        Assert.EndsWith("ms", Text("latency-lane4mad"));
        Assert.Contains("Lane4Mad agrees", Text("agreement"));
    }

    [Fact]
    public void LaneDiagnosticsPage()
    {
        Browser.Navigate().GoToUrl(web.Server.Url + "?selftest" + Environment.GetEnvironmentVariable("CNNGEN_SELFTEST_QUERY"));
        WaitForText("first-prediction", t => t != "-", TimeSpan.FromMinutes(3));
        string report = Text("selftest");
        output.WriteLine(report);
        Assert.DoesNotContain("WRONG", report);
    }

    private void Draw(Func<Actions, Actions> stroke)
    {
        var pad = Browser.FindElement(By.Id("pad"));
        stroke(new Actions(Browser).MoveToElement(pad)).Perform();
    }

    private string Text(string id) => Browser.FindElement(By.Id(id)).Text.Trim();

    /// <summary>Polls element <paramref name="id"/> until its text satisfies <paramref name="done"/> (and, with settle, stays the same for 1 s).</summary>
    private string WaitForText(string id, Func<string, bool> done, TimeSpan timeout, bool settle = false)
    {
        var clock = Stopwatch.StartNew();
        string text = "", stable = "";
        var since = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                text = Text(id);
                if (done(text))
                {
                    if (!settle) return text;
                    if (text != stable) { stable = text; since.Restart(); }
                    else if (since.Elapsed > TimeSpan.FromSeconds(1)) return text;
                }
            }
            catch (Exception e) when (e is NoSuchElementException or StaleElementReferenceException or FormatException) { }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"#{id} still reads '{text}' after {timeout.TotalSeconds} s; page error: {ErrorText()}; training: {Text("train-status")}");
    }

    private string ErrorText() => Browser.FindElements(By.Id("error")) is { Count: > 0 } e ? e[0].Text : "none";

    private void Screenshot(string name)
    {
        string path = Path.Combine(WebAppFixture.ArtifactsDir, name);
        ((ITakesScreenshot)Browser).GetScreenshot().SaveAsFile(path);
        output.WriteLine("screenshot: " + path);
        Assert.True(new FileInfo(path).Length > 10_000);
    }
}

internal static class StrokeActions
{
    /// <summary>A straight pointer move in 10 steps, so the page sees a stroke of pointermove events.</summary>
    public static Actions Stroke(this Actions actions, int dx, int dy)
    {
        for (int i = 0; i < 10; i++)
            actions = actions.MoveByOffset(dx / 10, dy / 10);
        return actions;
    }
}
