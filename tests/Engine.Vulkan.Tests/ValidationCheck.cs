namespace Engine.Vulkan.Tests;

/// <summary>With ENGINE_VULKAN_VALIDATION=1 every test in this project runs under the Khronos validation layer; the
/// run fails at the end if the layer reported any error.</summary>
[TestClass]
public static class ValidationCheck
{
    [AssemblyCleanup]
    public static void NoValidationErrors()
    {
        var errors = VulkanBackend.ValidationErrors;
        if (errors.Count > 0)
            throw new InvalidOperationException($"the Vulkan validation layer reported {errors.Count} errors, the first: {errors[0]}");
    }
}
