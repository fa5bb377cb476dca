import AsyncHTTPClient
import ChannelChatApps
import CityModel
import Foundation
import Rendering
import Storage
import Transport
import WebAPI

extension Outbound {
    /// WhatsApp through the Cloud API when `WHATSAPP_ACCESS_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` are set, Telegram
    /// through the Bot API when `TELEGRAM_BOT_TOKEN` is; each channel without goes to the outbox file.
    static func addChatApps(to registry: inout TransportRegistry, _ configuration: AppConfiguration, city: City, renderer: MessageRenderer,
                            transcripts: any HandoffStore) {
        let whatsapp = configuration.whatsapp
        if let credentials = whatsappCredentials(whatsapp) {
            let clock = configuration.clock
            registry.transports[.whatsapp] = WhatsAppTransport(
                credentials: credentials, client: HTTPClient.shared, templates: city.whatsappTemplates,
                listButton: { locale in renderer.render("chatapp.choose", locale: locale) },
                lastInbound: { address in
                    // The resident's latest message within the window, if any (the transcript holds both directions).
                    try await transcripts.transcript(of: address, since: clock().addingTimeInterval(-WhatsAppTransport.window), limit: 500)
                        .last { $0.from == .resident }?.at
                },
                now: clock
            )
        }
        if let credentials = telegramCredentials(configuration.telegram) {
            registry.transports[.telegram] = TelegramTransport(credentials: credentials, client: HTTPClient.shared)
        }
    }

    static func whatsappCredentials(_ settings: AppConfiguration.WhatsAppSettings) -> WhatsAppTransport.Credentials? {
        guard let token = settings.accessToken, let number = settings.phoneNumberID else { return nil }
        return WhatsAppTransport.Credentials(accessToken: token, phoneNumberID: number, apiBase: settings.apiBase)
    }

    static func telegramCredentials(_ settings: AppConfiguration.TelegramSettings) -> TelegramTransport.Credentials? {
        settings.botToken.map { TelegramTransport.Credentials(botToken: $0, apiBase: settings.apiBase) }
    }

    /// The webhooks' side: secrets, photo fetchers, and the transcript a tapped keyboard button is read against.
    static func chatAppWebhooks(_ configuration: AppConfiguration, transcripts: any HandoffStore) -> ChatAppWebhooks.Settings {
        ChatAppWebhooks.Settings(
            whatsappVerifyToken: configuration.whatsapp.verifyToken, whatsappAppSecret: configuration.whatsapp.appSecret,
            whatsappMedia: whatsappCredentials(configuration.whatsapp).map { WhatsAppMedia(credentials: $0, client: HTTPClient.shared) },
            telegramSecretToken: configuration.telegram.secretToken,
            telegramMedia: telegramCredentials(configuration.telegram).map { TelegramFiles(credentials: $0, client: HTTPClient.shared) },
            transcripts: transcripts
        )
    }
}
