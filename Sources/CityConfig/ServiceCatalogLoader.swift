import CityModel
import Foundation

/// Reads `services.yaml`: groups and Open311-style services with their attributes.
struct ServiceCatalogLoader {
    let loader: CityLoader
    let departments: Set<String>

    func load() throws -> (groups: [ServiceGroup], services: [Service]) {
        let root = try loader.file("services.yaml")
        try root.only(["groups", "services"])
        let groups = try root.required("groups").array().map { value -> ServiceGroup in
            try value.only(["code", "name"])
            return ServiceGroup(code: try value.required("code").nonEmptyString(), name: try value.required("name").localizedText())
        }
        try loader.unique(groups.map(\.code), in: root, what: "group")
        let servicesValue = try root.required("services")
        let services = try servicesValue.array().map { try service($0, groups: Set(groups.map(\.code))) }
        guard !services.isEmpty else { throw servicesValue.fail("the catalog has no services") }
        try loader.unique(services.map(\.code), in: servicesValue, what: "service")
        return (groups, services)
    }

    private func service(_ value: YAMLValue, groups: Set<String>) throws -> Service {
        try value.only([
            "code", "group", "department", "county_department", "sla", "name", "description", "keywords", "photo",
            "duplicate_radius_m", "attributes",
        ])
        let codeValue = try value.required("code")
        let code = try codeValue.nonEmptyString()
        guard code.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw codeValue.fail("service code '\(code)' may use only a-z, 0-9, '-' and '_'")
        }
        let group = try value.required("group")
        guard groups.contains(try group.string()) else { throw group.fail("service '\(code)': unknown group '\(try group.string())'") }
        let department = try value.required("department")
        guard departments.contains(try department.string()) else {
            throw department.fail("service '\(code)': unknown department '\(try department.string())'")
        }
        let county = value["county_department"]
        if let county, !departments.contains(try county.string()) {
            throw county.fail("service '\(code)': unknown department '\(try county.string())'")
        }
        let photo = try value["photo"]?.string() ?? "none"
        guard ["wanted", "none"].contains(photo) else { throw value["photo"]!.fail("'photo' must be wanted or none") }
        let attributes = try value["attributes"]?.array().map { try attribute($0, service: code) } ?? []
        if let list = value["attributes"] { try loader.unique(attributes.map(\.code), in: list, what: "attribute") }
        return Service(
            code: code, group: try group.string(), department: try department.string(), countyDepartment: try county?.string(),
            sla: try value.required("sla").duration(), name: try value.required("name").localizedText(),
            description: try value["description"]?.localizedText() ?? LocalizedText([:]),
            keywords: try value["keywords"]?.localizedList() ?? LocalizedList([:]),
            photoWanted: photo == "wanted", duplicateRadius: try value["duplicate_radius_m"]?.number() ?? 0,
            attributes: attributes
        )
    }

    private func attribute(_ value: YAMLValue, service: String) throws -> ServiceAttribute {
        try value.only(["code", "datatype", "required", "question", "values"])
        let code = try value.required("code").nonEmptyString()
        let typeValue = try value.required("datatype")
        guard let datatype = AttributeDatatype(rawValue: try typeValue.string()) else {
            throw typeValue.fail("service '\(service)' attribute '\(code)': datatype must be one of "
                + AttributeDatatype.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let options = try value["values"]?.array().map { option -> AttributeOption in
            try option.only(["key", "name"])
            return AttributeOption(key: try option.required("key").nonEmptyString(), name: try option.required("name").localizedText())
        } ?? []
        let isList = datatype == .singlevaluelist || datatype == .multivaluelist
        if isList, options.count < 2 {
            throw value.fail("service '\(service)' attribute '\(code)': a \(datatype.rawValue) needs at least two values")
        }
        if !isList, !options.isEmpty {
            throw value.fail("service '\(service)' attribute '\(code)': only list datatypes take values")
        }
        return ServiceAttribute(code: code, datatype: datatype, required: try value["required"]?.bool() ?? false,
                                question: try value.required("question").localizedText(), values: options)
    }
}
