namespace CnnGen.Sample.Mnist;

public static class Program
{
    public static int Main(string[] args) => 0;
}
