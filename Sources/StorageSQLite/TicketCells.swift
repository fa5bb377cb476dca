import CityModel
import Foundation

/// Squares of about 220 m (0.002° of latitude by 0.0025° of longitude) for each service: an open ticket's cell is
/// one integer — the service's id, the row and the column — so one service's open tickets near a point are a few
/// index ranges.
enum TicketCells {
    static let latitudeStep = 0.002
    static let longitudeStep = 0.0025

    static func cell(service: Int64, _ point: Coordinate) -> Int64 {
        key(service, row(point.latitude), column(point.longitude))
    }

    /// The cells the box around `query`'s circle touches.
    static func cells(service: Int64, around query: NearbyQuery) -> [Int64] {
        let box = query.box
        var cells: [Int64] = []
        for r in row(box.south)...row(box.north) {
            for c in column(box.west)...column(box.east) { cells.append(key(service, r, c)) }
        }
        return cells
    }

    static func row(_ latitude: Double) -> Int64 { Int64((latitude / latitudeStep).rounded(.down)) }
    static func column(_ longitude: Double) -> Int64 { Int64((longitude / longitudeStep).rounded(.down)) }

    /// service << 40 | row + 2^19 << 20 | column + 2^19 (rows and columns of the whole globe fit in 20 bits each).
    static func key(_ service: Int64, _ row: Int64, _ column: Int64) -> Int64 {
        (service << 40) | ((row + (1 << 19)) << 20) | (column + (1 << 19))
    }
}
