Console.WriteLine("Ursula bench");
