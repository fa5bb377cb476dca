import Hummingbird
import NIOCore

/// `GET /openapi.json`: the OpenAPI 3.1 description of the staff API (`/api/v1`) and the Open311 GeoReport v2
/// server (`/open311/v2`), served as it is written here (no token). Kept in the binary, like the console's assets,
/// so a city still deploys one file.
///
/// Edit the JSON below by hand. It is kept true by tests: `OpenAPITests` fails when a route `buildRouter` registers
/// under `/api/v1` or `/open311/v2` has no path and method here, or a path here has no route (an Open311 path is
/// written in its `.json` form, and its description names the `.xml` one); `Tests/OpenAPI/schemathesis_test.py`
/// sends generated requests to a running server and fails on any 5xx or any answer that breaks these schemas.
enum OpenAPIDocument {
    static func register(on router: Router<WebContext>) {
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
        }
    }

    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "CityLine API",
    "version": "1",
    "description": "The staff API (`/api/v1`, JSON, `Authorization: Bearer <token>` from `cityline token create --role admin|staff`; the operators' console signs the same calls with its session cookie and `X-CSRF-Token`) and the Open311 GeoReport v2 server (`/open311/v2`). Every path of both is here; `Tests/ServerTests/OpenAPITests.swift` fails when a route is added without being documented, and Schemathesis (`Tests/OpenAPI/schemathesis_test.py`) checks the running server's answers against these schemas.",
    "license": {
      "name": "See the repository"
    }
  },
  "tags": [
    {
      "name": "Staff: tickets"
    },
    {
      "name": "Staff: conversations"
    },
    {
      "name": "Staff: reports"
    },
    {
      "name": "Staff: operations"
    },
    {
      "name": "Staff: area notices"
    },
    {
      "name": "Open311 GeoReport v2",
      "description": "http://wiki.open311.org/GeoReport_v2 with mySociety's servicerequestupdates and Chicago-style paging and extensions. Every path also answers as `.xml`."
    }
  ],
  "security": [
    {
      "staffBearer": []
    }
  ],
  "paths": {
    "/api/v1/tickets": {
      "get": {
        "tags": [
          "Staff: tickets"
        ],
        "operationId": "listTickets",
        "summary": "Tickets, most recently updated first",
        "parameters": [
          {
            "name": "status",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma list of statuses: open, acknowledged, in_progress, closed.",
            "example": "open,in_progress"
          },
          {
            "name": "service_code",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only this service."
          },
          {
            "name": "department",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Only this department (a staff token: its own only, 403 otherwise)."
          },
          {
            "name": "updated_since",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "format": "date-time"
            },
            "description": "ISO 8601.",
            "example": "2026-11-23T00:00:00Z"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            },
            "description": "At most this many (1 to 1000)."
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "tickets": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/TicketSummary"
                      }
                    }
                  },
                  "required": [
                    "tickets"
                  ]
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      },
      "post": {
        "tags": [
          "Staff: tickets"
        ],
        "operationId": "createTicket",
        "summary": "File a report for a caller or a back-end system",
        "description": "Routed like a resident's own report; the resident given by `phone` or `email` gets the acknowledgement with the tracking number, then every update, in `locale`. A staff token files only for its own department (403, nothing stored).",
        "parameters": [
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/NewTicket"
              },
              "example": {
                "service_code": "pothole",
                "description": "Deep pothole in the bike lane",
                "address": "1423 Oak St",
                "phone": "+12175550100",
                "locale": "es"
              }
            }
          }
        },
        "responses": {
          "201": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TicketDetail"
                }
              }
            },
            "description": "Filed",
            "headers": {
              "Location": {
                "schema": {
                  "type": "string"
                },
                "description": "/api/v1/tickets/{id}"
              }
            }
          },
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TicketDetail"
                }
              }
            },
            "description": "The ticket an earlier request with this Idempotency-Key filed"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/tickets/{id}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The ticket's tracking number (digits).",
          "example": "1000001"
        }
      ],
      "get": {
        "tags": [
          "Staff: tickets"
        ],
        "operationId": "showTicket",
        "summary": "One ticket with its attributes, photos, survey and history",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TicketDetail"
                }
              }
            },
            "description": "OK"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      },
      "patch": {
        "tags": [
          "Staff: tickets"
        ],
        "operationId": "updateTicket",
        "summary": "Change status, note, resolution or department",
        "description": "Unknown fields or values: 400. A canned note (`status_note_key`) reaches every resident in their own language; free text (`status_note`) is shown as the crew's own words.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/TicketChange"
              },
              "example": {
                "status": "closed",
                "status_note_key": "repaired",
                "resolution": "fixed"
              }
            }
          }
        },
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TicketDetail"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/tickets/{id}/photos/{name}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The ticket's tracking number (digits).",
          "example": "1000001"
        },
        {
          "name": "name",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The photo's name, as in the ticket's `media` links."
        }
      ],
      "get": {
        "tags": [
          "Staff: tickets"
        ],
        "operationId": "ticketPhoto",
        "summary": "A photo the resident sent with the report (web chat)",
        "responses": {
          "200": {
            "description": "The image",
            "content": {
              "image/*": {
                "schema": {
                  "type": "string",
                  "format": "binary"
                }
              }
            }
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/tickets/{id}/notes": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The ticket's tracking number (digits).",
          "example": "1000001"
        }
      ],
      "post": {
        "tags": [
          "Staff: tickets"
        ],
        "operationId": "addTicketNote",
        "summary": "An internal or public note",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "text": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 4000
                  },
                  "public": {
                    "type": "boolean"
                  }
                },
                "required": [
                  "text"
                ]
              },
              "example": {
                "text": "Crew scheduled for Tuesday",
                "public": true
              }
            }
          }
        },
        "responses": {
          "201": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TicketEvent"
                }
              }
            },
            "description": "Added"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/status-notes": {
      "get": {
        "tags": [
          "Staff: tickets"
        ],
        "operationId": "statusNotes",
        "summary": "The city's canned status notes, each in every locale",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "status_notes": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "code": {
                            "type": "string"
                          },
                          "text": {
                            "type": "object",
                            "additionalProperties": {
                              "type": "string"
                            },
                            "description": "locale → text"
                          }
                        },
                        "required": [
                          "code",
                          "text"
                        ]
                      }
                    }
                  },
                  "required": [
                    "status_notes"
                  ]
                }
              }
            },
            "description": "OK"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/conversations": {
      "get": {
        "tags": [
          "Staff: conversations"
        ],
        "operationId": "listConversations",
        "summary": "Residents who asked for a person, oldest first",
        "description": "A staff token sees its department's queue; an admin token sees all. Addresses are masked.",
        "parameters": [
          {
            "name": "state",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma list of waiting, active, closed (default: waiting,active).",
            "example": "waiting,active"
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            },
            "description": "At most this many."
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "conversations": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Conversation"
                      }
                    }
                  },
                  "required": [
                    "conversations"
                  ]
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/conversations/{id}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The conversation's id.",
          "example": "1"
        }
      ],
      "get": {
        "tags": [
          "Staff: conversations"
        ],
        "operationId": "showConversation",
        "summary": "One conversation with its messages and notes",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ConversationDetail"
                }
              }
            },
            "description": "OK"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/conversations/{id}/canned": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The conversation's id.",
          "example": "1"
        }
      ],
      "get": {
        "tags": [
          "Staff: conversations"
        ],
        "operationId": "cannedResponses",
        "summary": "The city's canned responses in the resident's language",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "locale": {
                      "type": "string"
                    },
                    "dir": {
                      "enum": [
                        "ltr",
                        "rtl"
                      ]
                    },
                    "responses": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "properties": {
                          "key": {
                            "type": "string"
                          },
                          "text": {
                            "type": "string"
                          }
                        },
                        "required": [
                          "key",
                          "text"
                        ]
                      }
                    }
                  },
                  "required": [
                    "locale",
                    "dir",
                    "responses"
                  ]
                }
              }
            },
            "description": "OK"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/conversations/{id}/messages": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The conversation's id.",
          "example": "1"
        }
      ],
      "post": {
        "tags": [
          "Staff: conversations"
        ],
        "operationId": "conversationMessages",
        "summary": "The operator's reply, sent to the resident on their channel",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "text": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 1600
                  }
                },
                "required": [
                  "text"
                ]
              },
              "example": {
                "text": "Thank you, we are on it."
              }
            }
          }
        },
        "responses": {
          "201": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Conversation"
                }
              }
            },
            "description": "Sent (through the outbox)"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/conversations/{id}/notes": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The conversation's id.",
          "example": "1"
        }
      ],
      "post": {
        "tags": [
          "Staff: conversations"
        ],
        "operationId": "conversationNotes",
        "summary": "An internal note the resident never sees",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "text": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 1600
                  }
                },
                "required": [
                  "text"
                ]
              },
              "example": {
                "text": "Thank you, we are on it."
              }
            }
          }
        },
        "responses": {
          "201": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Conversation"
                }
              }
            },
            "description": "Kept"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/conversations/{id}/close": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The conversation's id.",
          "example": "1"
        }
      ],
      "post": {
        "tags": [
          "Staff: conversations"
        ],
        "operationId": "closeConversation",
        "summary": "Hand the resident back to the bot",
        "description": "`text`, optional: the operator's last words. An empty body is an empty object.",
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "text": {
                    "type": [
                      "string",
                      "null"
                    ]
                  }
                },
                "required": []
              },
              "example": {
                "text": "Glad we could help."
              }
            }
          }
        },
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Conversation"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/conversations/{id}/tickets": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The conversation's id.",
          "example": "1"
        }
      ],
      "post": {
        "tags": [
          "Staff: conversations"
        ],
        "operationId": "fileForConversation",
        "summary": "File a report for the resident",
        "description": "Routed like the resident's own; they get the acknowledgement on their channel, in their language.",
        "parameters": [
          {
            "$ref": "#/components/parameters/IdempotencyKey"
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "service_code": {
                    "type": "string"
                  },
                  "description": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 4000
                  },
                  "address": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 200
                  },
                  "lat": {
                    "type": "number",
                    "minimum": -90,
                    "maximum": 90
                  },
                  "long": {
                    "type": "number",
                    "minimum": -180,
                    "maximum": 180
                  }
                },
                "required": [
                  "service_code",
                  "description"
                ],
                "additionalProperties": false
              },
              "example": {
                "service_code": "pothole",
                "description": "Deep pothole",
                "address": "1423 Oak St"
              }
            }
          }
        },
        "responses": {
          "201": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TicketSummary"
                }
              }
            },
            "description": "Filed",
            "headers": {
              "Location": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TicketSummary"
                }
              }
            },
            "description": "Filed earlier with this Idempotency-Key"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/conversations/{id}/transfer": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The conversation's id.",
          "example": "1"
        }
      ],
      "post": {
        "tags": [
          "Staff: conversations"
        ],
        "operationId": "transferConversation",
        "summary": "Into another department's queue, waiting and unassigned",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object",
                "properties": {
                  "department": {
                    "type": "string"
                  }
                },
                "required": [
                  "department"
                ]
              },
              "example": {
                "department": "streets"
              }
            }
          }
        },
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Conversation"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/reports/kpis": {
      "get": {
        "tags": [
          "Staff: reports"
        ],
        "operationId": "kpis",
        "summary": "KPIs, in total and by group",
        "description": "A staff token sees its department's tickets. A ticket belongs to the period of the resident's first message about it.",
        "parameters": [
          {
            "$ref": "#/components/parameters/ReportFrom"
          },
          {
            "$ref": "#/components/parameters/ReportTo"
          },
          {
            "$ref": "#/components/parameters/ReportDepartment"
          },
          {
            "$ref": "#/components/parameters/ReportGroupBy"
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/ReportEnvelope"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "total": {
                          "$ref": "#/components/schemas/KPIRow"
                        },
                        "rows": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/KPIRow"
                          }
                        }
                      },
                      "required": [
                        "total",
                        "rows"
                      ]
                    }
                  ]
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/reports/equity": {
      "get": {
        "tags": [
          "Staff: reports"
        ],
        "operationId": "equity",
        "summary": "Each language or area against the whole city",
        "parameters": [
          {
            "$ref": "#/components/parameters/ReportFrom"
          },
          {
            "$ref": "#/components/parameters/ReportTo"
          },
          {
            "$ref": "#/components/parameters/ReportDepartment"
          },
          {
            "name": "group_by",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "language",
                "area"
              ],
              "default": "language"
            },
            "description": "language or area."
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/ReportEnvelope"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "city": {
                          "$ref": "#/components/schemas/KPIRow"
                        },
                        "minimum_closed": {
                          "type": "integer"
                        },
                        "minimum_responses": {
                          "type": "integer"
                        },
                        "rows": {
                          "type": "array",
                          "items": {
                            "$ref": "#/components/schemas/EquityRow"
                          }
                        }
                      },
                      "required": [
                        "city",
                        "minimum_closed",
                        "minimum_responses",
                        "rows"
                      ]
                    }
                  ]
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/reports/trend": {
      "get": {
        "tags": [
          "Staff: reports"
        ],
        "operationId": "trend",
        "summary": "Week by week (Mondays, city time)",
        "parameters": [
          {
            "$ref": "#/components/parameters/ReportFrom"
          },
          {
            "$ref": "#/components/parameters/ReportTo"
          },
          {
            "$ref": "#/components/parameters/ReportDepartment"
          },
          {
            "$ref": "#/components/parameters/ReportGroupBy"
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "allOf": [
                    {
                      "$ref": "#/components/schemas/ReportEnvelope"
                    },
                    {
                      "type": "object",
                      "properties": {
                        "weeks": {
                          "type": "array",
                          "items": {
                            "type": "object",
                            "properties": {
                              "week": {
                                "type": "string"
                              },
                              "opened": {
                                "type": "integer"
                              },
                              "closed": {
                                "type": "integer"
                              },
                              "median_hours_to_close": {
                                "type": [
                                  "number",
                                  "null"
                                ]
                              }
                            },
                            "required": [
                              "week",
                              "opened",
                              "closed",
                              "median_hours_to_close"
                            ]
                          }
                        }
                      },
                      "required": [
                        "weeks"
                      ]
                    }
                  ]
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/reports/tickets.csv": {
      "get": {
        "tags": [
          "Staff: reports"
        ],
        "operationId": "ticketsCSV",
        "summary": "One row per ticket (RFC 4180), never the reporter, the address or the words",
        "parameters": [
          {
            "$ref": "#/components/parameters/ReportFrom"
          },
          {
            "$ref": "#/components/parameters/ReportTo"
          },
          {
            "$ref": "#/components/parameters/ReportDepartment"
          },
          {
            "$ref": "#/components/parameters/ReportGroupBy"
          }
        ],
        "responses": {
          "200": {
            "description": "CSV with a header row: tracking_number, service_code, department, jurisdiction, area, language, channel, status, first_contact_at, requested_at, closed_at, expected_at, hours_to_close, sla_met, rating, fixed, reopened",
            "content": {
              "text/csv": {
                "schema": {
                  "type": "string"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/outbox": {
      "get": {
        "tags": [
          "Staff: operations"
        ],
        "operationId": "listOutbox",
        "summary": "Outbound messages by state, newest first (admin token)",
        "description": "Recipients masked, no message bodies.",
        "parameters": [
          {
            "name": "state",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "pending",
                "sending",
                "held",
                "sent",
                "dead"
              ],
              "default": "dead"
            },
            "description": "Which entries."
          },
          {
            "$ref": "#/components/parameters/Limit"
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "outbox": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/OutboxEntry"
                      }
                    }
                  },
                  "required": [
                    "outbox"
                  ]
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/outbox/{id}/retry": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The entry's id.",
          "example": "1"
        }
      ],
      "post": {
        "tags": [
          "Staff: operations"
        ],
        "operationId": "retryOutbox",
        "summary": "Send a dead-lettered message again (admin token)",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/OutboxEntry"
                }
              }
            },
            "description": "OK"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/jobs": {
      "get": {
        "tags": [
          "Staff: operations"
        ],
        "operationId": "listJobs",
        "summary": "Scheduled work by state (admin token)",
        "parameters": [
          {
            "name": "state",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "pending",
                "running",
                "done",
                "dead"
              ],
              "default": "dead"
            },
            "description": "Which jobs."
          },
          {
            "$ref": "#/components/parameters/Limit"
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "jobs": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Job"
                      }
                    }
                  },
                  "required": [
                    "jobs"
                  ]
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/jobs/{id}/retry": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The entry's id.",
          "example": "1"
        }
      ],
      "post": {
        "tags": [
          "Staff: operations"
        ],
        "operationId": "retryJob",
        "summary": "Run a dead-lettered job again (admin token)",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "id": {
                      "type": "integer"
                    },
                    "state": {
                      "const": "pending"
                    }
                  },
                  "required": [
                    "id",
                    "state"
                  ]
                }
              }
            },
            "description": "OK"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "409": {
            "$ref": "#/components/responses/Conflict"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/open311/v2/discovery.json": {
      "get": {
        "tags": [
          "Open311 GeoReport v2"
        ],
        "operationId": "open311Discovery",
        "summary": "Discovery",
        "security": [],
        "description": "Also `/open311/v2/discovery.xml`: the same as XML (`text/xml`), lists wrapped (`<services><service>`, `<service_requests><request>`) even with one element. The XML root is `<discovery>`.",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Discovery"
                }
              }
            },
            "description": "OK"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/open311/v2/services.json": {
      "get": {
        "tags": [
          "Open311 GeoReport v2"
        ],
        "operationId": "open311Services",
        "summary": "The service list",
        "security": [],
        "description": "Also `/open311/v2/services.xml`: the same as XML (`text/xml`), lists wrapped (`<services><service>`, `<service_requests><request>`) even with one element.",
        "parameters": [
          {
            "$ref": "#/components/parameters/JurisdictionID"
          },
          {
            "$ref": "#/components/parameters/Open311Locale"
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/Service"
                  }
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/Open311Error"
          },
          "404": {
            "$ref": "#/components/responses/Open311Error"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/open311/v2/services/{service_code}.json": {
      "parameters": [
        {
          "name": "service_code",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The service's code.",
          "example": "pothole"
        }
      ],
      "get": {
        "tags": [
          "Open311 GeoReport v2"
        ],
        "operationId": "open311ServiceDefinition",
        "summary": "A service's definition: its questions as attributes",
        "security": [],
        "description": "Also `/open311/v2/services/{service_code}.xml`: the same as XML (`text/xml`), lists wrapped (`<services><service>`, `<service_requests><request>`) even with one element. The XML root is `<service_definition>`.",
        "parameters": [
          {
            "$ref": "#/components/parameters/JurisdictionID"
          },
          {
            "$ref": "#/components/parameters/Open311Locale"
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ServiceDefinition"
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/Open311Error"
          },
          "404": {
            "$ref": "#/components/responses/Open311Error"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/open311/v2/requests.json": {
      "get": {
        "tags": [
          "Open311 GeoReport v2"
        ],
        "operationId": "open311Requests",
        "summary": "Service requests, newest first",
        "security": [],
        "description": "Also `/open311/v2/requests.xml`: the same as XML (`text/xml`), lists wrapped (`<services><service>`, `<service_requests><request>`) even with one element. At most 1,000; the last 90 days by default.",
        "parameters": [
          {
            "name": "service_request_id",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma list of ids; overrides every other filter."
          },
          {
            "name": "service_code",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma list of service codes.",
            "example": "pothole"
          },
          {
            "name": "start_date",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "ISO 8601 (requested at or after); default: 90 days before end_date.",
            "example": "2026-11-01T00:00:00-06:00"
          },
          {
            "name": "end_date",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "ISO 8601 (requested at or before); default: now.",
            "example": "2026-11-30T00:00:00-06:00"
          },
          {
            "name": "status",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "Comma list of open, closed.",
            "example": "open"
          },
          {
            "name": "page",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1
            },
            "description": "Chicago-style paging, from 1."
          },
          {
            "name": "page_size",
            "in": "query",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000
            },
            "description": "1 to 1000 (default 1000)."
          },
          {
            "name": "extensions",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "true",
                "false"
              ]
            },
            "description": "`true`: Chicago-style `extended_attributes`."
          },
          {
            "$ref": "#/components/parameters/JurisdictionID"
          },
          {
            "$ref": "#/components/parameters/Open311Locale"
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/ServiceRequest"
                  }
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/Open311Error"
          },
          "404": {
            "$ref": "#/components/responses/Open311Error"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      },
      "post": {
        "tags": [
          "Open311 GeoReport v2"
        ],
        "operationId": "open311CreateRequest",
        "summary": "File a service request",
        "description": "Also `/open311/v2/requests.xml`: the same as XML (`text/xml`), lists wrapped (`<services><service>`, `<service_requests><request>`) even with one element. The `api_key` is a form field (as GeoReport v2 clients send it) or a query parameter. Answers to the service's questions are `attribute[code]=value` (and `attribute[code][]=value` for multivaluelist). Goes the way of any report: routing, the reporter's acknowledgement by `phone` or `email` in `locale`, `Idempotency-Key`.",
        "security": [
          {
            "open311ApiKey": []
          }
        ],
        "parameters": [
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "schema": {
              "type": "string",
              "maxLength": 255
            },
            "description": "A retry with the same key files nothing."
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/x-www-form-urlencoded": {
              "schema": {
                "type": "object",
                "properties": {
                  "api_key": {
                    "type": "string",
                    "description": "From `cityline token create --role open311`."
                  },
                  "service_code": {
                    "type": "string"
                  },
                  "jurisdiction_id": {
                    "type": "string"
                  },
                  "lat": {
                    "type": "number",
                    "minimum": -90,
                    "maximum": 90
                  },
                  "long": {
                    "type": "number",
                    "minimum": -180,
                    "maximum": 180
                  },
                  "address_string": {
                    "type": "string",
                    "maxLength": 200
                  },
                  "address_id": {
                    "type": "string"
                  },
                  "email": {
                    "type": "string"
                  },
                  "phone": {
                    "type": "string"
                  },
                  "first_name": {
                    "type": "string"
                  },
                  "last_name": {
                    "type": "string"
                  },
                  "device_id": {
                    "type": "string"
                  },
                  "account_id": {
                    "type": "string"
                  },
                  "description": {
                    "type": "string",
                    "maxLength": 4000
                  },
                  "media_url": {
                    "type": "string",
                    "format": "uri"
                  },
                  "locale": {
                    "type": "string"
                  }
                },
                "required": [
                  "service_code"
                ],
                "anyOf": [
                  {
                    "required": [
                      "lat",
                      "long"
                    ]
                  },
                  {
                    "required": [
                      "address_string"
                    ]
                  }
                ],
                "dependentRequired": {
                  "lat": [
                    "long"
                  ],
                  "long": [
                    "lat"
                  ]
                }
              },
              "example": {
                "service_code": "pothole",
                "lat": 39.7817,
                "long": -89.6501,
                "description": "Deep pothole",
                "email": "maria@example.org"
              }
            }
          }
        },
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {
                      "service_request_id": {
                        "type": "string"
                      },
                      "service_notice": {
                        "type": "string"
                      },
                      "account_id": {
                        "type": [
                          "string",
                          "null"
                        ]
                      }
                    },
                    "required": [
                      "service_request_id",
                      "service_notice",
                      "account_id"
                    ]
                  }
                }
              }
            },
            "description": "Filed: its id (requests are created at once; the id is also the token)"
          },
          "400": {
            "$ref": "#/components/responses/Open311Error"
          },
          "403": {
            "$ref": "#/components/responses/Open311Error"
          },
          "404": {
            "$ref": "#/components/responses/Open311Error"
          },
          "413": {
            "$ref": "#/components/responses/Open311Error"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/open311/v2/requests/{service_request_id}.json": {
      "parameters": [
        {
          "name": "service_request_id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The request's id (the tracking number).",
          "example": "1000001"
        }
      ],
      "get": {
        "tags": [
          "Open311 GeoReport v2"
        ],
        "operationId": "open311Request",
        "summary": "One service request (a list of one)",
        "security": [],
        "description": "Also `/open311/v2/requests/{service_request_id}.xml`: the same as XML (`text/xml`), lists wrapped (`<services><service>`, `<service_requests><request>`) even with one element.",
        "parameters": [
          {
            "$ref": "#/components/parameters/JurisdictionID"
          },
          {
            "$ref": "#/components/parameters/Open311Locale"
          },
          {
            "name": "extensions",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string",
              "enum": [
                "true",
                "false"
              ]
            },
            "description": "`true`: `extended_attributes`."
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/ServiceRequest"
                  },
                  "minItems": 1,
                  "maxItems": 1
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/Open311Error"
          },
          "404": {
            "$ref": "#/components/responses/Open311Error"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/open311/v2/tokens/{token}.json": {
      "parameters": [
        {
          "name": "token",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string"
          },
          "description": "The token a POST returned (here the request's id).",
          "example": "1000001"
        }
      ],
      "get": {
        "tags": [
          "Open311 GeoReport v2"
        ],
        "operationId": "open311Token",
        "summary": "The request id for a token",
        "security": [],
        "description": "Also `/open311/v2/tokens/{token}.xml`: the same as XML (`text/xml`), lists wrapped (`<services><service>`, `<service_requests><request>`) even with one element.",
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {
                      "service_request_id": {
                        "type": "string"
                      },
                      "token": {
                        "type": "string"
                      }
                    },
                    "required": [
                      "service_request_id",
                      "token"
                    ]
                  },
                  "minItems": 1,
                  "maxItems": 1
                }
              }
            },
            "description": "OK"
          },
          "404": {
            "$ref": "#/components/responses/Open311Error"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/open311/v2/servicerequestupdates.json": {
      "get": {
        "tags": [
          "Open311 GeoReport v2"
        ],
        "operationId": "open311Updates",
        "summary": "What happened to requests (mySociety extension), oldest first",
        "security": [],
        "description": "Also `/open311/v2/servicerequestupdates.xml`: the same as XML (`text/xml`), lists wrapped (`<services><service>`, `<service_requests><request>`) even with one element. The last day by default.",
        "parameters": [
          {
            "name": "start_date",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "ISO 8601; default: a day before end_date."
          },
          {
            "name": "end_date",
            "in": "query",
            "required": false,
            "schema": {
              "type": "string"
            },
            "description": "ISO 8601; default: now."
          },
          {
            "$ref": "#/components/parameters/JurisdictionID"
          }
        ],
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "$ref": "#/components/schemas/ServiceRequestUpdate"
                  }
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/Open311Error"
          },
          "404": {
            "$ref": "#/components/responses/Open311Error"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      },
      "post": {
        "tags": [
          "Open311 GeoReport v2"
        ],
        "operationId": "open311PostUpdate",
        "summary": "A back end reports a status change or a note (mySociety extension)",
        "description": "Also `/open311/v2/servicerequestupdates.xml`: the same as XML (`text/xml`), lists wrapped (`<services><service>`, `<service_requests><request>`) even with one element. The same `update_id` twice changes nothing. The change reaches the residents like a staff update.",
        "security": [
          {
            "open311ApiKey": []
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/x-www-form-urlencoded": {
              "schema": {
                "type": "object",
                "properties": {
                  "api_key": {
                    "type": "string"
                  },
                  "service_request_id": {
                    "type": "string"
                  },
                  "update_id": {
                    "type": "string",
                    "maxLength": 100
                  },
                  "status": {
                    "type": "string",
                    "enum": [
                      "OPEN",
                      "INVESTIGATING",
                      "IN_PROGRESS",
                      "ACTION_SCHEDULED",
                      "FIXED",
                      "CLOSED",
                      "DUPLICATE",
                      "NOT_RESPONSIBLE",
                      "NOT_COUNCILS_RESPONSIBILITY",
                      "NO_FURTHER_ACTION",
                      "UNABLE_TO_FIX",
                      "INTERNAL_REFERRAL",
                      "REOPENED"
                    ],
                    "description": "Any case."
                  },
                  "description": {
                    "type": "string",
                    "maxLength": 2000
                  },
                  "updated_datetime": {
                    "type": "string"
                  },
                  "jurisdiction_id": {
                    "type": "string"
                  },
                  "media_url": {
                    "type": "string"
                  },
                  "email": {
                    "type": "string"
                  },
                  "first_name": {
                    "type": "string"
                  },
                  "last_name": {
                    "type": "string"
                  }
                },
                "required": [
                  "service_request_id",
                  "update_id",
                  "status"
                ]
              },
              "example": {
                "service_request_id": "1000001",
                "update_id": "wo-17",
                "status": "FIXED",
                "description": "Filled"
              }
            }
          }
        },
        "responses": {
          "200": {
            "content": {
              "application/json": {
                "schema": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {
                      "update_id": {
                        "type": "string"
                      }
                    },
                    "required": [
                      "update_id"
                    ]
                  },
                  "minItems": 1,
                  "maxItems": 1
                }
              }
            },
            "description": "OK"
          },
          "400": {
            "$ref": "#/components/responses/Open311Error"
          },
          "403": {
            "$ref": "#/components/responses/Open311Error"
          },
          "404": {
            "$ref": "#/components/responses/Open311Error"
          },
          "413": {
            "$ref": "#/components/responses/Open311Error"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          }
        }
      }
    },
    "/api/v1/notices": {
      "post": {
        "tags": [
          "Staff: area notices"
        ],
        "operationId": "sendNotice",
        "summary": "Send an area notice to the residents who opted in there (admin token)",
        "description": "Resolves the recipients once — the subscriptions (ALERTS <address>) whose point lies in the area, one message per address, in the resident's language — and queues them in the outbox (kind `alert`) in one transaction. Residents who sent STOP are counted, never sent to; an ordinary notice waits for the end of quiet hours; the SMS sender's pace applies. With `dry_run`, only the cost (200). Bad input queues nothing.",
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/NoticeRequest"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Dry run: the cost, nothing queued.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "dry_run": {
                      "type": "boolean"
                    },
                    "cost": {
                      "$ref": "#/components/schemas/NoticeCost"
                    }
                  },
                  "required": [
                    "dry_run",
                    "cost"
                  ]
                }
              }
            }
          },
          "202": {
            "description": "Queued: the notice, its counts so far and its cost.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Notice"
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "413": {
            "$ref": "#/components/responses/TooLarge"
          },
          "422": {
            "$ref": "#/components/responses/Unprocessable"
          }
        }
      },
      "get": {
        "tags": [
          "Staff: area notices"
        ],
        "operationId": "listNotices",
        "summary": "Notices, newest first, with their counts (admin token)",
        "parameters": [
          {
            "$ref": "#/components/parameters/Limit"
          }
        ],
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "notices": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Notice"
                      }
                    }
                  },
                  "required": [
                    "notices"
                  ]
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          }
        }
      }
    },
    "/api/v1/notices/{id}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The notice's id.",
          "example": "1"
        }
      ],
      "get": {
        "tags": [
          "Staff: area notices"
        ],
        "operationId": "getNotice",
        "summary": "A notice's progress and final counts (admin token)",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Notice"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        }
      }
    },
    "/api/v1/notices/{id}/cancel": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "schema": {
            "type": "string",
            "pattern": "^[0-9]+$"
          },
          "description": "The notice's id.",
          "example": "1"
        }
      ],
      "post": {
        "tags": [
          "Staff: area notices"
        ],
        "operationId": "cancelNotice",
        "summary": "Withdraw a notice's messages that have not gone yet (admin token)",
        "description": "Queued and held messages are cancelled; one being sent at that moment still goes. `withdrawn` says how many this call cancelled (0 the second time).",
        "responses": {
          "200": {
            "description": "OK",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Notice"
                }
              }
            }
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "403": {
            "$ref": "#/components/responses/Forbidden"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "staffBearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A staff or admin token (`cityline token create`). An Open311 api_key is refused (403)."
      },
      "open311ApiKey": {
        "type": "apiKey",
        "in": "query",
        "name": "api_key",
        "description": "An Open311 api_key (`cityline token create --role open311`; an admin token works too), sent as the `api_key` form field of the POST body as GeoReport v2 clients do, or as a query parameter."
      }
    },
    "parameters": {
      "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "required": false,
        "schema": {
          "type": "string",
          "minLength": 1,
          "maxLength": 255,
          "pattern": "^[!-~]+$"
        },
        "description": "A retry with the same key returns the first ticket (200) and files nothing."
      },
      "JurisdictionID": {
        "name": "jurisdiction_id",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "Accepted: the city's id or one of its jurisdictions' (404 otherwise). Empty is absent."
      },
      "Limit": {
        "name": "limit",
        "in": "query",
        "required": false,
        "schema": {
          "type": "integer",
          "minimum": 1,
          "maximum": 1000,
          "default": 100
        },
        "description": "1 to 1000."
      },
      "Open311Locale": {
        "name": "locale",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "One of the city's languages: names, questions and notes in it (a CityLine extension).",
        "example": "es"
      },
      "ReportDepartment": {
        "name": "department",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "Only this department's tickets (a staff token: its own only)."
      },
      "ReportFrom": {
        "name": "from",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "A day (`2026-11-01`, the city's time zone) or an ISO 8601 time.",
        "example": "2026-11-01"
      },
      "ReportGroupBy": {
        "name": "group_by",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string",
          "enum": [
            "language",
            "channel",
            "service",
            "department",
            "jurisdiction",
            "area"
          ]
        },
        "description": "How to group the rows.",
        "example": "language"
      },
      "ReportTo": {
        "name": "to",
        "in": "query",
        "required": false,
        "schema": {
          "type": "string"
        },
        "description": "A day (included) or an ISO 8601 time.",
        "example": "2026-11-30"
      }
    },
    "schemas": {
      "Error": {
        "type": "object",
        "properties": {
          "error": {
            "type": "object",
            "properties": {
              "code": {
                "type": "string",
                "example": "not_found"
              },
              "message": {
                "type": "string"
              }
            },
            "required": [
              "code",
              "message"
            ]
          }
        },
        "required": [
          "error"
        ],
        "description": "Every staff API error: `{\"error\": {\"code\", \"message\"}}`."
      },
      "Open311Errors": {
        "type": "array",
        "items": {
          "type": "object",
          "properties": {
            "code": {
              "type": "integer",
              "description": "The HTTP status."
            },
            "description": {
              "type": "string"
            }
          },
          "required": [
            "code",
            "description"
          ]
        },
        "minItems": 1,
        "description": "Every Open311 error: a list of `{code, description}` (XML: `<errors><error>`)."
      },
      "Location": {
        "type": "object",
        "properties": {
          "text": {
            "type": "string"
          },
          "kind": {
            "type": "string"
          },
          "matched": {
            "type": [
              "string",
              "null"
            ]
          },
          "latitude": {
            "type": [
              "number",
              "null"
            ]
          },
          "longitude": {
            "type": [
              "number",
              "null"
            ]
          }
        },
        "required": [
          "text",
          "kind",
          "matched",
          "latitude",
          "longitude"
        ]
      },
      "TicketSummary": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string",
            "description": "The tracking number."
          },
          "service_code": {
            "type": "string"
          },
          "service_name": {
            "type": "string"
          },
          "status": {
            "type": "string",
            "enum": [
              "open",
              "acknowledged",
              "in_progress",
              "closed"
            ]
          },
          "department": {
            "type": "string"
          },
          "jurisdiction": {
            "type": "string"
          },
          "description": {
            "type": "string"
          },
          "location": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/Location"
              },
              {
                "type": "null"
              }
            ]
          },
          "requested_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "updated_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "expected_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "closed_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "resolution": {
            "type": [
              "string",
              "null"
            ]
          },
          "status_note": {
            "type": [
              "string",
              "null"
            ]
          },
          "locale": {
            "type": "string"
          },
          "channel": {
            "type": "string"
          }
        },
        "required": [
          "id",
          "service_code",
          "service_name",
          "status",
          "department",
          "jurisdiction",
          "description",
          "location",
          "requested_at",
          "updated_at",
          "expected_at",
          "closed_at",
          "resolution",
          "status_note",
          "locale",
          "channel"
        ]
      },
      "TicketEvent": {
        "type": "object",
        "properties": {
          "kind": {
            "type": "string",
            "enum": [
              "created",
              "status",
              "department",
              "note"
            ]
          },
          "at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "status": {
            "type": [
              "string",
              "null"
            ]
          },
          "department": {
            "type": [
              "string",
              "null"
            ]
          },
          "note": {
            "type": [
              "string",
              "null"
            ]
          },
          "public": {
            "type": "boolean"
          },
          "actor": {
            "type": "string"
          }
        },
        "required": [
          "kind",
          "at",
          "status",
          "department",
          "note",
          "public",
          "actor"
        ]
      },
      "TicketDetail": {
        "allOf": [
          {
            "$ref": "#/components/schemas/TicketSummary"
          },
          {
            "type": "object",
            "properties": {
              "followers": {
                "type": "integer",
                "description": "Other residents following it (left out when unknown)."
              },
              "survey": {
                "oneOf": [
                  {
                    "type": "object",
                    "properties": {
                      "state": {
                        "type": "string",
                        "enum": [
                          "asked",
                          "answered",
                          "expired"
                        ]
                      },
                      "fixed": {
                        "type": [
                          "string",
                          "null"
                        ]
                      },
                      "rating": {
                        "type": [
                          "integer",
                          "null"
                        ]
                      },
                      "comment": {
                        "type": [
                          "string",
                          "null"
                        ]
                      },
                      "asked_at": {
                        "type": "string",
                        "format": "date-time"
                      },
                      "updated_at": {
                        "type": "string",
                        "format": "date-time"
                      }
                    },
                    "required": [
                      "state",
                      "fixed",
                      "rating",
                      "comment",
                      "asked_at",
                      "updated_at"
                    ]
                  },
                  {
                    "type": "null"
                  }
                ]
              },
              "attributes": {
                "type": "object",
                "description": "question code → answer"
              },
              "media": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "url": {
                      "type": "string"
                    },
                    "content_type": {
                      "type": [
                        "string",
                        "null"
                      ]
                    }
                  },
                  "required": [
                    "url",
                    "content_type"
                  ]
                }
              },
              "reporter": {
                "type": "object",
                "properties": {
                  "channel": {
                    "type": "string"
                  },
                  "address": {
                    "type": "string",
                    "description": "Masked."
                  }
                },
                "required": [
                  "channel",
                  "address"
                ]
              },
              "history": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/TicketEvent"
                }
              }
            },
            "required": [
              "survey",
              "attributes",
              "media",
              "reporter",
              "history"
            ]
          }
        ]
      },
      "NewTicket": {
        "type": "object",
        "properties": {
          "service_code": {
            "type": "string"
          },
          "description": {
            "type": "string",
            "minLength": 1,
            "maxLength": 4000,
            "pattern": "\\S"
          },
          "address": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": "\\S"
          },
          "lat": {
            "type": "number",
            "minimum": -90,
            "maximum": 90
          },
          "long": {
            "type": "number",
            "minimum": -180,
            "maximum": 180
          },
          "phone": {
            "type": "string",
            "description": "E.164 or 10 digits; not with email."
          },
          "email": {
            "type": "string",
            "description": "Not with phone."
          },
          "locale": {
            "type": "string",
            "description": "One of the city's languages."
          }
        },
        "required": [
          "service_code",
          "description"
        ],
        "additionalProperties": false,
        "description": "`address` and/or `lat`+`long` (at least one); `phone` or `email`, not both.",
        "anyOf": [
          {
            "required": [
              "address"
            ]
          },
          {
            "required": [
              "lat",
              "long"
            ]
          }
        ],
        "dependentRequired": {
          "lat": [
            "long"
          ],
          "long": [
            "lat"
          ]
        },
        "not": {
          "required": [
            "phone",
            "email"
          ]
        }
      },
      "TicketChange": {
        "type": "object",
        "properties": {
          "status": {
            "type": "string",
            "enum": [
              "open",
              "acknowledged",
              "in_progress",
              "closed"
            ]
          },
          "status_note": {
            "type": [
              "string",
              "null"
            ],
            "description": "Public, the crew's own words."
          },
          "status_note_key": {
            "type": [
              "string",
              "null"
            ],
            "description": "One of GET /api/v1/status-notes (not with status_note)."
          },
          "resolution": {
            "type": [
              "string",
              "null"
            ]
          },
          "department": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [],
        "additionalProperties": false,
        "minProperties": 1,
        "description": "At least one change; null is the same as leaving a field out.",
        "not": {
          "required": [
            "status_note",
            "status_note_key"
          ]
        }
      },
      "Conversation": {
        "type": "object",
        "properties": {
          "id": {
            "type": "string"
          },
          "channel": {
            "type": "string"
          },
          "address": {
            "type": "string",
            "description": "Masked."
          },
          "locale": {
            "type": [
              "string",
              "null"
            ]
          },
          "dir": {
            "type": "string",
            "enum": [
              "ltr",
              "rtl"
            ]
          },
          "state": {
            "type": "string",
            "enum": [
              "waiting",
              "active",
              "closed"
            ]
          },
          "department": {
            "type": [
              "string",
              "null"
            ]
          },
          "waiting_since": {
            "type": "string",
            "format": "date-time"
          },
          "last_message_at": {
            "type": "string",
            "format": "date-time"
          },
          "assigned_to": {
            "type": [
              "string",
              "null"
            ]
          },
          "first_reply_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "closed_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "closed_by": {
            "type": [
              "string",
              "null"
            ]
          },
          "ticket_ids": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "report": {
            "oneOf": [
              {
                "type": "object",
                "properties": {
                  "service_code": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "description": {
                    "type": "string"
                  },
                  "address": {
                    "type": [
                      "string",
                      "null"
                    ]
                  },
                  "lat": {
                    "type": [
                      "number",
                      "null"
                    ]
                  },
                  "long": {
                    "type": [
                      "number",
                      "null"
                    ]
                  }
                },
                "required": [
                  "service_code",
                  "description",
                  "address",
                  "lat",
                  "long"
                ]
              },
              {
                "type": "null"
              }
            ]
          }
        },
        "required": [
          "id",
          "channel",
          "address",
          "locale",
          "dir",
          "state",
          "department",
          "waiting_since",
          "last_message_at",
          "assigned_to",
          "first_reply_at",
          "closed_at",
          "closed_by",
          "report"
        ]
      },
      "ConversationDetail": {
        "allOf": [
          {
            "$ref": "#/components/schemas/Conversation"
          },
          {
            "type": "object",
            "properties": {
              "messages": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "from": {
                      "type": "string",
                      "enum": [
                        "resident",
                        "bot",
                        "operator"
                      ]
                    },
                    "text": {
                      "type": "string"
                    },
                    "at": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  "required": [
                    "from",
                    "text",
                    "at"
                  ]
                }
              },
              "notes": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "author": {
                      "type": "string"
                    },
                    "text": {
                      "type": "string"
                    },
                    "at": {
                      "type": "string",
                      "format": "date-time"
                    }
                  },
                  "required": [
                    "author",
                    "text",
                    "at"
                  ]
                }
              }
            },
            "required": [
              "messages",
              "notes"
            ]
          }
        ]
      },
      "ReportEnvelope": {
        "type": "object",
        "properties": {
          "from": {
            "type": [
              "string",
              "null"
            ]
          },
          "to": {
            "type": [
              "string",
              "null"
            ]
          },
          "group_by": {
            "type": [
              "string",
              "null"
            ]
          },
          "time_zone": {
            "type": "string"
          },
          "departments": {
            "type": [
              "array",
              "null"
            ],
            "items": {
              "type": "string"
            }
          }
        },
        "required": [
          "from",
          "to",
          "group_by",
          "time_zone",
          "departments"
        ]
      },
      "KPIRow": {
        "type": "object",
        "properties": {
          "group": {
            "type": "string"
          },
          "count": {
            "type": "integer"
          },
          "open": {
            "type": "integer"
          },
          "closed": {
            "type": "integer"
          },
          "median_hours_to_close": {
            "type": [
              "number",
              "null"
            ]
          },
          "p90_hours_to_close": {
            "type": [
              "number",
              "null"
            ]
          },
          "sla_met_ratio": {
            "type": [
              "number",
              "null"
            ]
          },
          "csat_mean": {
            "type": [
              "number",
              "null"
            ]
          },
          "csat_responses": {
            "type": "integer"
          },
          "fixed_answers": {
            "type": "integer"
          },
          "not_fixed_ratio": {
            "type": [
              "number",
              "null"
            ]
          },
          "reopened": {
            "type": "integer"
          },
          "reopen_ratio": {
            "type": [
              "number",
              "null"
            ]
          },
          "emergencies": {
            "type": [
              "integer",
              "null"
            ]
          },
          "handoffs": {
            "type": [
              "integer",
              "null"
            ]
          },
          "median_minutes_to_first_reply": {
            "type": [
              "number",
              "null"
            ]
          },
          "abandoned": {
            "type": [
              "integer",
              "null"
            ]
          },
          "name": {
            "type": "string",
            "description": "The group's name (with group_by)."
          }
        },
        "required": [
          "group",
          "count",
          "open",
          "closed",
          "median_hours_to_close",
          "p90_hours_to_close",
          "sla_met_ratio",
          "csat_mean",
          "csat_responses",
          "fixed_answers",
          "not_fixed_ratio",
          "reopened",
          "reopen_ratio",
          "emergencies",
          "handoffs",
          "median_minutes_to_first_reply",
          "abandoned"
        ],
        "description": "With group_by, also `name` and the group under the grouping's own name (`language`, `area`, …)."
      },
      "EquityRow": {
        "type": "object",
        "properties": {
          "group": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "count": {
            "type": "integer"
          },
          "closed": {
            "type": "integer"
          },
          "median_hours_to_close": {
            "type": [
              "number",
              "null"
            ]
          },
          "hours_to_close_gap": {
            "type": [
              "number",
              "null"
            ]
          },
          "hours_to_close_ratio": {
            "type": [
              "number",
              "null"
            ]
          },
          "csat_mean": {
            "type": [
              "number",
              "null"
            ]
          },
          "csat_responses": {
            "type": "integer"
          },
          "csat_gap": {
            "type": [
              "number",
              "null"
            ]
          },
          "sla_met_ratio": {
            "type": [
              "number",
              "null"
            ]
          },
          "sla_gap": {
            "type": [
              "number",
              "null"
            ]
          },
          "warning": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "group",
          "name",
          "count",
          "closed",
          "median_hours_to_close",
          "hours_to_close_gap",
          "hours_to_close_ratio",
          "csat_mean",
          "csat_responses",
          "csat_gap",
          "sla_met_ratio",
          "sla_gap",
          "warning"
        ]
      },
      "OutboxEntry": {
        "type": "object",
        "properties": {
          "id": {
            "type": "integer"
          },
          "channel": {
            "type": "string"
          },
          "to": {
            "type": "string",
            "description": "Masked."
          },
          "kind": {
            "type": "string"
          },
          "ticket_id": {
            "type": [
              "string",
              "null"
            ]
          },
          "state": {
            "type": "string",
            "enum": [
              "pending",
              "sending",
              "held",
              "sent",
              "dead",
              "cancelled"
            ]
          },
          "attempts": {
            "type": "integer"
          },
          "last_error": {
            "type": [
              "string",
              "null"
            ]
          },
          "created_at": {
            "type": "string",
            "format": "date-time"
          },
          "due_at": {
            "type": "string",
            "format": "date-time"
          },
          "delivery_status": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "id",
          "channel",
          "to",
          "kind",
          "ticket_id",
          "state",
          "attempts",
          "last_error",
          "created_at",
          "due_at",
          "delivery_status"
        ]
      },
      "Job": {
        "type": "object",
        "properties": {
          "id": {
            "type": "integer"
          },
          "kind": {
            "type": "string"
          },
          "ticket_id": {
            "type": "string"
          },
          "state": {
            "type": "string",
            "enum": [
              "pending",
              "running",
              "done",
              "dead"
            ]
          },
          "attempts": {
            "type": "integer"
          },
          "due_at": {
            "type": "string",
            "format": "date-time"
          },
          "note": {
            "type": [
              "string",
              "null"
            ]
          }
        },
        "required": [
          "id",
          "kind",
          "ticket_id",
          "state",
          "attempts",
          "due_at",
          "note"
        ]
      },
      "Discovery": {
        "type": "object",
        "properties": {
          "changeset": {
            "type": "string"
          },
          "contact": {
            "type": "string"
          },
          "key_service": {
            "type": "string"
          },
          "endpoints": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "specification": {
                  "type": "string"
                },
                "url": {
                  "type": "string"
                },
                "changeset": {
                  "type": "string"
                },
                "type": {
                  "type": "string"
                },
                "formats": {
                  "type": "array",
                  "items": {
                    "type": "string"
                  }
                }
              },
              "required": [
                "specification",
                "url",
                "changeset",
                "type",
                "formats"
              ]
            }
          }
        },
        "required": [
          "changeset",
          "contact",
          "key_service",
          "endpoints"
        ]
      },
      "Service": {
        "type": "object",
        "properties": {
          "service_code": {
            "type": "string"
          },
          "service_name": {
            "type": "string"
          },
          "description": {
            "type": "string"
          },
          "metadata": {
            "type": "boolean"
          },
          "type": {
            "type": "string",
            "enum": [
              "realtime",
              "batch",
              "blackbox"
            ]
          },
          "keywords": {
            "type": "string"
          },
          "group": {
            "type": "string"
          }
        },
        "required": [
          "service_code",
          "service_name",
          "description",
          "metadata",
          "type",
          "keywords",
          "group"
        ]
      },
      "ServiceDefinition": {
        "type": "object",
        "properties": {
          "service_code": {
            "type": "string"
          },
          "attributes": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "variable": {
                  "type": "boolean"
                },
                "code": {
                  "type": "string"
                },
                "datatype": {
                  "type": "string",
                  "enum": [
                    "string",
                    "number",
                    "datetime",
                    "text",
                    "singlevaluelist",
                    "multivaluelist"
                  ]
                },
                "required": {
                  "type": "boolean"
                },
                "datatype_description": {
                  "type": [
                    "string",
                    "null"
                  ]
                },
                "order": {
                  "type": "integer"
                },
                "description": {
                  "type": "string"
                },
                "values": {
                  "type": "array",
                  "items": {
                    "type": "object",
                    "properties": {
                      "key": {
                        "type": "string"
                      },
                      "name": {
                        "type": "string"
                      }
                    },
                    "required": [
                      "key",
                      "name"
                    ]
                  }
                }
              },
              "required": [
                "variable",
                "code",
                "datatype",
                "required",
                "datatype_description",
                "order",
                "description",
                "values"
              ]
            }
          }
        },
        "required": [
          "service_code",
          "attributes"
        ]
      },
      "ServiceRequest": {
        "type": "object",
        "properties": {
          "service_request_id": {
            "type": "string"
          },
          "status": {
            "type": "string",
            "enum": [
              "open",
              "closed"
            ]
          },
          "status_notes": {
            "type": [
              "string",
              "null"
            ]
          },
          "service_name": {
            "type": "string"
          },
          "service_code": {
            "type": "string"
          },
          "description": {
            "type": "string"
          },
          "agency_responsible": {
            "type": "string"
          },
          "service_notice": {
            "type": [
              "string",
              "null"
            ]
          },
          "requested_datetime": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "updated_datetime": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "expected_datetime": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "address": {
            "type": [
              "string",
              "null"
            ]
          },
          "address_id": {
            "type": [
              "string",
              "null"
            ]
          },
          "zipcode": {
            "type": [
              "string",
              "null"
            ]
          },
          "lat": {
            "type": [
              "number",
              "null"
            ]
          },
          "long": {
            "type": [
              "number",
              "null"
            ]
          },
          "media_url": {
            "type": [
              "string",
              "null"
            ]
          },
          "extended_attributes": {
            "type": "object",
            "properties": {
              "channel": {
                "type": "string"
              },
              "followers": {
                "type": "integer"
              },
              "resolution": {
                "type": [
                  "string",
                  "null"
                ]
              },
              "notes": {
                "type": "array",
                "items": {
                  "type": "object",
                  "properties": {
                    "datetime": {
                      "type": [
                        "string",
                        "null"
                      ],
                      "format": "date-time"
                    },
                    "description": {
                      "type": "string"
                    }
                  },
                  "required": [
                    "datetime",
                    "description"
                  ]
                }
              },
              "attributes": {
                "type": "object"
              }
            },
            "required": [
              "channel",
              "followers",
              "resolution",
              "notes",
              "attributes"
            ],
            "description": "With extensions=true."
          }
        },
        "required": [
          "service_request_id",
          "status",
          "status_notes",
          "service_name",
          "service_code",
          "description",
          "agency_responsible",
          "service_notice",
          "requested_datetime",
          "updated_datetime",
          "expected_datetime",
          "address",
          "address_id",
          "zipcode",
          "lat",
          "long",
          "media_url"
        ]
      },
      "ServiceRequestUpdate": {
        "type": "object",
        "properties": {
          "update_id": {
            "type": "string"
          },
          "service_request_id": {
            "type": "string"
          },
          "status": {
            "type": "string",
            "enum": [
              "open",
              "closed"
            ]
          },
          "external_status_code": {
            "type": "string"
          },
          "updated_datetime": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "description": {
            "type": "string"
          },
          "media_url": {
            "type": "string"
          }
        },
        "required": [
          "update_id",
          "service_request_id",
          "status",
          "external_status_code",
          "updated_datetime",
          "description",
          "media_url"
        ]
      },
      "NoticeArea": {
        "description": "A GeoJSON Polygon or MultiPolygon (or a Feature holding one; positions are [longitude, latitude], rings closed, not crossing themselves), {\"jurisdiction\": id}, or \"all\" (every subscriber).",
        "oneOf": [
          {
            "type": "string",
            "enum": [
              "all"
            ]
          },
          {
            "type": "object",
            "properties": {
              "jurisdiction": {
                "type": "string",
                "minLength": 1
              }
            },
            "required": [
              "jurisdiction"
            ]
          },
          {
            "type": "object",
            "properties": {
              "type": {
                "type": "string",
                "enum": [
                  "Polygon",
                  "MultiPolygon",
                  "Feature"
                ]
              },
              "coordinates": {
                "type": "array"
              },
              "geometry": {
                "type": "object"
              }
            },
            "required": [
              "type"
            ]
          }
        ],
        "example": {
          "type": "Polygon",
          "coordinates": [
            [
              [
                -89.6,
                39.76
              ],
              [
                -89.58,
                39.76
              ],
              [
                -89.58,
                39.772
              ],
              [
                -89.6,
                39.772
              ],
              [
                -89.6,
                39.76
              ]
            ]
          ]
        }
      },
      "NoticeRequest": {
        "type": "object",
        "properties": {
          "area": {
            "$ref": "#/components/schemas/NoticeArea"
          },
          "messages": {
            "type": "object",
            "additionalProperties": {
              "type": "string",
              "minLength": 1,
              "maxLength": 1600
            },
            "description": "The text per language (the city's languages). A resident whose language has no text gets the first one along the fallback chain (the city's default, then English); the cost's `fallbacks` names them.",
            "example": {
              "en": "Water main break on Oak St. Water is off until 6 pm.",
              "es": "Rotura de tubería en Oak St. Sin agua hasta las 6 pm."
            }
          },
          "emergency": {
            "type": "boolean",
            "default": false,
            "description": "Goes out in quiet hours too (only that: opt-outs and pacing still apply)."
          },
          "topic": {
            "type": [
              "string",
              "null"
            ],
            "description": "One of the city's `alerts.topics` (city.yaml): only subscribers of that topic, or of none, get it."
          },
          "dry_run": {
            "type": "boolean",
            "default": false,
            "description": "Only the cost: nothing is stored or queued (200)."
          }
        },
        "required": [
          "area",
          "messages"
        ],
        "additionalProperties": false
      },
      "NoticeCost": {
        "type": "object",
        "description": "What the notice costs: recipients and SMS segments per language, GSM-7 or UCS-2, and how long the SMS sender's pace (TWILIO_SEGMENTS_PER_SECOND) takes to send them.",
        "properties": {
          "recipients": {
            "type": "integer"
          },
          "targeted": {
            "type": "integer"
          },
          "suppressed_opt_out": {
            "type": "integer"
          },
          "held_quiet_hours": {
            "type": "integer"
          },
          "sms_segments": {
            "type": "integer"
          },
          "pacing_seconds": {
            "type": "number"
          },
          "segments_per_second": {
            "type": "number"
          },
          "languages": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "locale": {
                  "type": "string"
                },
                "text_locale": {
                  "type": "string"
                },
                "fallback": {
                  "type": "boolean"
                },
                "recipients": {
                  "type": "integer"
                },
                "channels": {
                  "type": "object",
                  "additionalProperties": {
                    "type": "integer"
                  }
                },
                "encoding": {
                  "type": "string",
                  "enum": [
                    "GSM-7",
                    "UCS-2"
                  ]
                },
                "segments": {
                  "type": "integer"
                },
                "characters": {
                  "type": "integer"
                }
              },
              "required": [
                "locale",
                "text_locale",
                "fallback",
                "recipients",
                "channels",
                "encoding",
                "segments",
                "characters"
              ]
            }
          },
          "fallbacks": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            },
            "description": "City language → the language of the text its residents get instead."
          }
        },
        "required": [
          "recipients",
          "targeted",
          "suppressed_opt_out",
          "held_quiet_hours",
          "sms_segments",
          "pacing_seconds",
          "segments_per_second",
          "languages",
          "fallbacks"
        ]
      },
      "Notice": {
        "type": "object",
        "description": "A notice and its counts: targeted = queued + sent + failed + suppressed_opt_out + cancelled; held_quiet_hours is the part of queued waiting for the morning.",
        "properties": {
          "id": {
            "type": "integer"
          },
          "area": {},
          "messages": {
            "type": "object",
            "additionalProperties": {
              "type": "string"
            }
          },
          "emergency": {
            "type": "boolean"
          },
          "topic": {
            "type": [
              "string",
              "null"
            ]
          },
          "created_at": {
            "type": "string",
            "format": "date-time"
          },
          "created_by": {
            "type": "string"
          },
          "cancelled_at": {
            "type": [
              "string",
              "null"
            ],
            "format": "date-time"
          },
          "state": {
            "type": "string",
            "enum": [
              "sending",
              "done",
              "cancelled"
            ]
          },
          "targeted": {
            "type": "integer",
            "minimum": 0
          },
          "queued": {
            "type": "integer",
            "minimum": 0
          },
          "sent": {
            "type": "integer",
            "minimum": 0
          },
          "failed": {
            "type": "integer",
            "minimum": 0
          },
          "suppressed_opt_out": {
            "type": "integer",
            "minimum": 0
          },
          "held_quiet_hours": {
            "type": "integer",
            "minimum": 0
          },
          "cancelled": {
            "type": "integer",
            "minimum": 0
          },
          "cost": {
            "$ref": "#/components/schemas/NoticeCost"
          },
          "withdrawn": {
            "type": "integer",
            "minimum": 0
          }
        },
        "required": [
          "id",
          "area",
          "messages",
          "emergency",
          "topic",
          "created_at",
          "created_by",
          "cancelled_at",
          "state",
          "targeted",
          "queued",
          "sent",
          "failed",
          "suppressed_opt_out",
          "held_quiet_hours",
          "cancelled"
        ]
      }
    },
    "responses": {
      "BadRequest": {
        "description": "Invalid input; nothing changed",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Unauthorized": {
        "description": "No token, or an unknown one",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Forbidden": {
        "description": "Outside the token's department, an admin-only operation, an Open311 api_key, or (console session) a missing CSRF token",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "NotFound": {
        "description": "No such ticket, conversation or entry",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Conflict": {
        "description": "Not in a state that allows it (a closed conversation, an entry that is not dead-lettered)",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "TooLarge": {
        "description": "The body is larger than 64 KiB",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "Open311Error": {
        "description": "The GeoReport v2 error list",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Open311Errors"
            }
          }
        }
      },
      "Unprocessable": {
        "description": "The area is not a usable polygon (not closed, too few corners, off the Earth, or crossing itself); nothing was queued.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      },
      "TooManyRequests": {
        "description": "Too many requests from this network address (`CITYLINE_PUBLIC_REQUESTS_PER_IP_PER_MINUTE`, default 300 a minute); nothing was done. Wait the seconds `Retry-After` gives.",
        "headers": {
          "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {
              "type": "integer",
              "minimum": 1
            }
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/Error"
            }
          }
        }
      }
    }
  }
}
"""#
}
