// Character classes with ASCII answered from the byte.
//
// `Character.isLetter`, `isWhitespace` and the rest look the character's Unicode properties up in the standard
// library's tables: about 45 ns a character on this project's machine, against about 3 ns for reading one byte. The
// engine's tokenizers (places, language detection, the classifier's stemmer, the danger model) ask for every
// character of every message, several times. These give the same answer as the standard library's property for every
// character (ASCII from its byte, anything else — "\r\n" included — by asking the standard library), so a call site
// changes speed, never meaning; `CharacterClassesTests` compares the two on every ASCII character and many others.

extension Character {
    /// The byte of a one-byte (ASCII) character; nil for anything longer, "\r\n" included.
    @inlinable var singleASCIIByte: UInt8? {
        let utf8 = self.utf8
        return utf8.count == 1 ? utf8.first : nil
    }

    /// `isLetter`, quickly for ASCII.
    @inlinable public var fastIsLetter: Bool {
        guard let byte = singleASCIIByte else { return isLetter }
        return (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    /// `isNumber`, quickly for ASCII (where only the ten digits are numbers).
    @inlinable public var fastIsNumber: Bool {
        guard let byte = singleASCIIByte else { return isNumber }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// `isWhitespace`, quickly for ASCII (tab, line feed, vertical tab, form feed, carriage return, space).
    @inlinable public var fastIsWhitespace: Bool {
        guard let byte = singleASCIIByte else { return isWhitespace }
        return byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)
    }

    /// `isNewline`, quickly for ASCII (line feed, vertical tab, form feed, carriage return).
    @inlinable public var fastIsNewline: Bool {
        guard let byte = singleASCIIByte else { return isNewline }
        return byte >= 0x0A && byte <= 0x0D
    }

    /// `isUppercase`, quickly for ASCII.
    @inlinable public var fastIsUppercase: Bool {
        guard let byte = singleASCIIByte else { return isUppercase }
        return byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")
    }

    /// `isLowercase`, quickly for ASCII.
    @inlinable public var fastIsLowercase: Bool {
        guard let byte = singleASCIIByte else { return isLowercase }
        return byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
    }
}

extension Unicode.Scalar {
    /// `properties.isAlphabetic`, quickly for ASCII (the 52 letters).
    @inlinable public var fastIsAlphabetic: Bool {
        guard isASCII else { return properties.isAlphabetic }
        return (value | 0x20) >= 0x61 && (value | 0x20) <= 0x7A
    }

    /// `properties.isWhitespace`, quickly for ASCII (tab to carriage return, and space).
    @inlinable public var fastIsWhitespace: Bool {
        guard isASCII else { return properties.isWhitespace }
        return value == 0x20 || (value >= 0x09 && value <= 0x0D)
    }
}
