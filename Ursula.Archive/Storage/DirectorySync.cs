// A rename is durable only once the directory holding it is on disk; .NET has no API to fsync a
// directory, so this opens it read-only through libc and fsyncs the descriptor (Linux and macOS).
using System.Runtime.InteropServices;

namespace Ursula.Archive.Storage;

internal static class DirectorySync
{
    private const int ReadOnly = 0;

    public static void Flush(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var fd = open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"Could not open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"Could not fsync directory {directory} (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc")]
    private static extern int close(int fd);
}
