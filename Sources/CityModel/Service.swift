/// A group of services, shown as a menu when nothing the resident wrote matches a service.
public struct ServiceGroup: Sendable, Equatable {
    public var code: String
    public var name: LocalizedText
    public init(code: String, name: LocalizedText) {
        self.code = code
        self.name = name
    }
}

/// One request type in the catalog, Open311-style (`service_code`, `service_name`, `group`, attributes).
public struct Service: Sendable, Equatable {
    public var code: String
    public var group: String
    public var department: String
    /// Department used when the location lies in another jurisdiction (e.g. county roads).
    public var countyDepartment: String?
    /// Expected time to complete, in seconds.
    public var sla: Int
    public var name: LocalizedText
    public var description: LocalizedText
    public var keywords: LocalizedList
    public var photoWanted: Bool
    /// Reports of the same service within this many metres are likely duplicates (0: never).
    public var duplicateRadius: Double
    public var attributes: [ServiceAttribute]

    public init(
        code: String, group: String, department: String, countyDepartment: String? = nil, sla: Int,
        name: LocalizedText, description: LocalizedText, keywords: LocalizedList, photoWanted: Bool,
        duplicateRadius: Double, attributes: [ServiceAttribute]
    ) {
        self.code = code
        self.group = group
        self.department = department
        self.countyDepartment = countyDepartment
        self.sla = sla
        self.name = name
        self.description = description
        self.keywords = keywords
        self.photoWanted = photoWanted
        self.duplicateRadius = duplicateRadius
        self.attributes = attributes
    }
}

/// Open311 attribute datatypes.
public enum AttributeDatatype: String, Sendable, Codable, CaseIterable {
    case string, number, datetime, text, singlevaluelist, multivaluelist
}

/// A follow-up question of a service (Open311 `attribute`).
public struct ServiceAttribute: Sendable, Equatable {
    public var code: String
    public var datatype: AttributeDatatype
    public var required: Bool
    public var question: LocalizedText
    public var values: [AttributeOption]
    public init(code: String, datatype: AttributeDatatype, required: Bool, question: LocalizedText, values: [AttributeOption] = []) {
        self.code = code
        self.datatype = datatype
        self.required = required
        self.question = question
        self.values = values
    }
}

/// One allowed value of a list attribute.
public struct AttributeOption: Sendable, Equatable {
    public var key: String
    public var name: LocalizedText
    public init(key: String, name: LocalizedText) {
        self.key = key
        self.name = name
    }
}
