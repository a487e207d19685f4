using System.Collections;
using System.Reflection;

namespace Strom.Protocol.Tests.Messages;

/// <summary>
/// Sets every property of a generated message to a value that differs from its default, so
/// that every field present in a version is written (tagged fields included), plus one
/// unknown tagged field that must survive a read and write-back.
/// </summary>
internal static class SampleFiller
{
    public static object Create(Type type, int depth = 0)
    {
        var instance = Activator.CreateInstance(type)!;
        Fill(instance, depth);
        return instance;
    }

    private static void Fill(object target, int depth)
    {
        var salt = 1;
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite)
            {
                continue;
            }
            salt++;
            if (property.Name == "UnknownTaggedFields")
            {
                property.SetValue(target, new List<RawTaggedField> { new(9000, [0xDE, 0xAD]) });
                continue;
            }
            property.SetValue(target, Sample(property.PropertyType, property.GetValue(target), salt, depth));
        }
    }

    private static object? Sample(Type type, object? current, int salt, int depth)
    {
        if (type == typeof(sbyte))
        {
            return (sbyte)((sbyte)current! + salt);
        }
        if (type == typeof(short))
        {
            return (short)((short)current! + 100 + salt);
        }
        if (type == typeof(int))
        {
            return (int)current! + 70000 + salt;
        }
        if (type == typeof(long))
        {
            return (long)current! + 5_000_000_000L + salt;
        }
        if (type == typeof(ushort))
        {
            return (ushort)((ushort)current! + 300 + salt);
        }
        if (type == typeof(uint))
        {
            return (uint)current! + 90000u + (uint)salt;
        }
        if (type == typeof(double))
        {
            return (double)current! + 1.25 + salt;
        }
        if (type == typeof(bool))
        {
            return !(bool)current!;
        }
        if (type == typeof(Uuid))
        {
            return new Uuid(0x0102030405060708 + salt, 0x1112131415161718);
        }
        if (type == typeof(string))
        {
            return $"s{salt}-é";
        }
        if (type == typeof(byte[]))
        {
            return new byte[] { 1, 2, (byte)salt };
        }
        if (type == typeof(ReadOnlyMemory<byte>?) || type == typeof(ReadOnlyMemory<byte>))
        {
            return new ReadOnlyMemory<byte>([9, 8, 7, (byte)salt]);
        }
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var element = type.GetGenericArguments()[0];
            var list = (IList)Activator.CreateInstance(type)!;
            var count = depth < 3 ? 2 : 1;
            for (var i = 0; i < count; i++)
            {
                list.Add(Sample(element, element.IsValueType ? Activator.CreateInstance(element) : null, salt + i, depth + 1));
            }
            return list;
        }
        if (type.IsClass && type.IsNested)
        {
            return Create(type, depth + 1);
        }
        throw new NotSupportedException($"No sample for {type}.");
    }
}
