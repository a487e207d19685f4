namespace Strom.SchemaRegistry;

/// <summary>
/// A request the registry refuses, carrying Confluent's error code: the HTTP status is the code's
/// first three digits (40401 -> 404), and the body is {"error_code": ..., "message": ...}.
/// </summary>
public sealed class RegistryException(int errorCode, string message) : Exception(message)
{
    public int ErrorCode { get; } = errorCode;

    public int HttpStatus => ErrorCode < 1000 ? ErrorCode : ErrorCode / 100;

    public static RegistryException SubjectNotFound(string subject) => new(40401, $"Subject '{subject}' not found.");
    public static RegistryException VersionNotFound(int version) => new(40402, $"Version {version} not found.");
    public static RegistryException SchemaNotFound(int id) => new(40403, $"Schema {id} not found");
    public static RegistryException SchemaNotFound() => new(40403, "Schema not found");
    public static RegistryException SubjectSoftDeleted(string subject) =>
        new(40404, $"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently");
    public static RegistryException SubjectNotSoftDeleted(string subject) =>
        new(40405, $"Subject '{subject}' was not deleted first before being permanently deleted");
    public static RegistryException VersionSoftDeleted(string subject, int version) =>
        new(40406, $"Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently");
    public static RegistryException VersionNotSoftDeleted(string subject, int version) =>
        new(40407, $"Subject '{subject}' Version {version} was not deleted first before being permanently deleted");
    public static RegistryException SubjectCompatibilityNotConfigured(string subject) =>
        new(40408, $"Subject '{subject}' does not have subject-level compatibility configured");
    public static RegistryException SubjectModeNotConfigured(string subject) =>
        new(40409, $"Subject '{subject}' does not have subject-level mode configured");
    public static RegistryException Incompatible(string subject, IEnumerable<string> messages) =>
        new(409, $"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{string.Join(", ", messages)}]");
    public static RegistryException InvalidSchema(string details) => new(42201, "Invalid schema: " + details);
    public static RegistryException InvalidVersion(string version) =>
        new(42202, $"The specified version '{version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string \"latest\"");
    public static RegistryException InvalidCompatibilityLevel() =>
        new(42203, "Invalid compatibility level. Valid values are none, backward, forward, full, backward_transitive, forward_transitive, and full_transitive");
    public static RegistryException InvalidMode() => new(42204, "Invalid mode. Valid values are READWRITE, READONLY, READONLY_OVERRIDE, IMPORT.");
    public static RegistryException OperationNotPermitted(string message) => new(42205, message);
    public static RegistryException ReferenceExists(string subject, int version) =>
        new(42206, $"One or more references exist to the schema {{magic=1,keytype=SCHEMA,subject={subject},version={version}}}.");
    public static RegistryException IdDoesNotMatch(int id, int existing) =>
        new(42207, $"Schema already registered with id {existing} instead of input id {id}");
    public static RegistryException InvalidSubject(string subject) => new(42208, $"The specified subject '{subject}' is not valid.");
    public static RegistryException SchemaTooLarge(int limit) => new(42209, $"Schema exceeds the maximum size of {limit} characters");
    public static RegistryException BadRequest(string message) => new(400, message);
    public static RegistryException UnprocessableEntity(string message) => new(422, message);
    public static RegistryException ForwardingError(string message) => new(50003, "Error while forwarding the request to the leader: " + message);
    public static RegistryException UnknownLeader() => new(50004, "Leader not known.");
    public static RegistryException StoreError(string message) => new(50001, "Error in the backend datastore: " + message);
}
