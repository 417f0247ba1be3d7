// Entry point placeholder; replaced by the CLI host.
Console.WriteLine("Ursula");
