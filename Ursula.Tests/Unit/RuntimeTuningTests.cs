using Ursula.Server.Hosting;

namespace Ursula.Tests.Unit;

[Trait("Category", "Unit")]
public sealed class RuntimeTuningTests
{
    [Fact]
    public void The_node_raises_the_shared_array_pools_capacity_unless_the_operator_set_it()
    {
        var before = Environment.GetEnvironmentVariable(RuntimeTuning.ArraysPerCoreVariable);
        try
        {
            Environment.SetEnvironmentVariable(RuntimeTuning.ArraysPerCoreVariable, null);
            RuntimeTuning.Apply();
            Assert.Equal(RuntimeTuning.ArraysPerCore.ToString(System.Globalization.CultureInfo.InvariantCulture), Environment.GetEnvironmentVariable(RuntimeTuning.ArraysPerCoreVariable));

            Environment.SetEnvironmentVariable(RuntimeTuning.ArraysPerCoreVariable, "64");
            RuntimeTuning.Apply();
            Assert.Equal("64", Environment.GetEnvironmentVariable(RuntimeTuning.ArraysPerCoreVariable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(RuntimeTuning.ArraysPerCoreVariable, before);
        }
    }
}
