/* state_describe.c - what each state means, in English and Spanish, for
 * people troubleshooting: the meaning, which side sees it, and what a pile
 * of sockets in that state usually means. */
#include <string.h>

#include "sockstate.h"

enum lang { LANG_EN, LANG_ES, LANG_COUNT };

struct text {
	const char *meaning;
	const char *seen_by;
	const char *pile_means;
};

struct explanation {
	sockstate_side side;
	struct text text[LANG_COUNT];
};

static const struct explanation explanations[SOCKSTATE_STATE_COUNT] = {
	[SOCKSTATE_UNKNOWN] = {SOCKSTATE_SIDE_NONE, {
		{"The operating system reported a state code this library does "
		 "not know, so it cannot name it. The record's native code and "
		 "name show what the system said.",
		 "No side in particular: the code is not a known TCP state.",
		 "A newer or unusual system, or a kernel extension, uses a state "
		 "this version of libsockstate does not know. Check the native "
		 "code and consider upgrading the library."},
		{"El sistema operativo informó de un código de estado que esta "
		 "biblioteca no conoce, así que no puede nombrarlo. El código y "
		 "el nombre nativos del registro muestran lo que dijo el sistema.",
		 "Ningún lado en particular: el código no corresponde a ningún "
		 "estado TCP conocido.",
		 "Un sistema más nuevo o poco común, o una extensión del núcleo, "
		 "usa un estado que esta versión de libsockstate no conoce. "
		 "Revise el código nativo y considere actualizar la biblioteca."},
	}},
	[SOCKSTATE_CLOSED] = {SOCKSTATE_SIDE_NONE, {
		{"No connection: the socket exists but has no connection state. "
		 "Few systems list sockets in this state; when one shows up it is "
		 "usually being torn down or never got connected.",
		 "No side in particular: there is no connection.",
		 "Sockets that were created but never connected, or connections "
		 "that ended while the application kept its socket open. Harmless "
		 "if they go away; if they pile up, the application is leaking "
		 "socket handles."},
		{"Sin conexión: el socket existe pero no tiene ninguna conexión "
		 "asociada. Pocos sistemas muestran sockets en este estado; cuando "
		 "aparece uno, suele estar terminando de cerrarse o no llegó a "
		 "conectarse nunca.",
		 "Ningún lado en particular: no hay conexión.",
		 "Sockets creados que nunca se conectaron, o conexiones terminadas "
		 "cuyo socket la aplicación sigue teniendo abierto. No es grave si "
		 "desaparecen; si se acumulan, la aplicación pierde descriptores "
		 "de socket (una fuga)."},
	}},
	[SOCKSTATE_LISTEN] = {SOCKSTATE_SIDE_SERVER, {
		{"A server socket waiting for incoming connections on a local "
		 "port. It carries no data itself: each accepted connection gets "
		 "a socket of its own.",
		 "The server (the passive opener).",
		 "Normal on servers: one per listening port and address (several "
		 "with SO_REUSEPORT or many worker processes). An unexpected one "
		 "is an exposed service nobody meant to run: check the owning "
		 "process and the address it listens on (0.0.0.0 or :: means "
		 "every interface)."},
		{"Un socket de servidor que espera conexiones entrantes en un "
		 "puerto local. No transporta datos: cada conexión aceptada recibe "
		 "su propio socket.",
		 "El servidor (el extremo que abre de forma pasiva).",
		 "Normal en los servidores: uno por cada puerto y dirección en "
		 "escucha (varios con SO_REUSEPORT o con muchos procesos de "
		 "trabajo). Uno inesperado es un servicio expuesto que nadie "
		 "pretendía ofrecer: compruebe el proceso propietario y la "
		 "dirección en la que escucha (0.0.0.0 o :: significa todas las "
		 "interfaces)."},
	}},
	[SOCKSTATE_SYN_SENT] = {SOCKSTATE_SIDE_CLIENT, {
		{"The local side sent a connection request (SYN) and is waiting "
		 "for the remote side to answer.",
		 "The client (the active opener).",
		 "The remote host is not answering: it is down or unreachable, "
		 "a firewall silently drops the SYNs (a closed port or a rejecting "
		 "firewall fails at once instead), or the server's accept queue is "
		 "full: its application accepts connections too slowly, so the "
		 "server's kernel drops new SYNs (there, the listener's Recv-Q has "
		 "reached its backlog, Send-Q). Many of them toward many "
		 "different addresses can also be a port scan or malware running "
		 "on this host."},
		{"El lado local envió una solicitud de conexión (SYN) y espera la "
		 "respuesta del lado remoto.",
		 "El cliente (el extremo que abre de forma activa).",
		 "El equipo remoto no responde: está apagado o es inalcanzable, "
		 "un cortafuegos descarta los SYN sin avisar (un puerto cerrado o "
		 "un cortafuegos que rechaza dan error de inmediato), o la cola de "
		 "aceptación del servidor está llena: su aplicación acepta las "
		 "conexiones demasiado despacio y el núcleo del servidor descarta "
		 "los SYN nuevos (allí, la Recv-Q del socket en escucha ha "
		 "alcanzado su backlog, Send-Q). Muchos hacia "
		 "muchas direcciones distintas también pueden ser un escaneo de "
		 "puertos o software malicioso en este equipo."},
	}},
	[SOCKSTATE_SYN_RECEIVED] = {SOCKSTATE_SIDE_SERVER, {
		{"The server received a connection request (SYN) and answered "
		 "with SYN-ACK; it is waiting for the client's final ACK to "
		 "complete the three-way handshake.",
		 "The server (the passive opener).",
		 "The clients' final ACKs are not arriving: a SYN flood (often "
		 "from spoofed addresses), asymmetric routing or a firewall that "
		 "drops the return traffic, or a full listen backlog because the "
		 "application accepts connections too slowly."},
		{"El servidor recibió una solicitud de conexión (SYN) y respondió "
		 "con SYN-ACK; espera el ACK final del cliente para completar la "
		 "negociación en tres pasos.",
		 "El servidor (el extremo que abre de forma pasiva).",
		 "No llegan los ACK finales de los clientes: una inundación de SYN "
		 "(a menudo con direcciones de origen falsificadas), un "
		 "enrutamiento asimétrico o un cortafuegos que descarta el tráfico "
		 "de vuelta, o una cola de escucha (backlog) llena porque la "
		 "aplicación acepta las conexiones demasiado despacio."},
	}},
	[SOCKSTATE_ESTABLISHED] = {SOCKSTATE_SIDE_BOTH, {
		{"The connection is open: the handshake is complete and both "
		 "sides can send data.",
		 "Both sides.",
		 "Usually normal: active clients or a connection pool. Far more "
		 "than expected points to a connection leak (connections opened "
		 "and never closed), no connection reuse, or idle connections "
		 "kept forever without a timeout."},
		{"La conexión está abierta: la negociación terminó y ambos lados "
		 "pueden enviar datos.",
		 "Ambos lados.",
		 "Suele ser normal: clientes activos o un pool de conexiones. "
		 "Muchas más de las esperadas apuntan a una fuga de conexiones "
		 "(se abren y nunca se cierran), a que no se reutilizan, o a "
		 "conexiones inactivas que se mantienen para siempre sin tiempo "
		 "de espera."},
	}},
	[SOCKSTATE_FIN_WAIT_1] = {SOCKSTATE_SIDE_CLOSER, {
		{"The local application closed the connection; its FIN is sent "
		 "and it waits for the remote side to acknowledge it.",
		 "The side that closes first (the active closer).",
		 "The peer is not acknowledging: it is unreachable or gone, or its "
		 "receive window is full and data is still queued ahead of the "
		 "FIN. They linger when the remote host vanished without sending "
		 "a reset."},
		{"La aplicación local cerró la conexión; ya envió su FIN y espera "
		 "que el lado remoto lo confirme.",
		 "El lado que cierra primero (el que cierra de forma activa).",
		 "El otro extremo no confirma: es inalcanzable o ha desaparecido, "
		 "o su ventana de recepción está llena y aún quedan datos en cola "
		 "por delante del FIN. Se quedan ahí cuando el equipo remoto "
		 "desapareció sin enviar un reset."},
	}},
	[SOCKSTATE_FIN_WAIT_2] = {SOCKSTATE_SIDE_CLOSER, {
		{"The remote side acknowledged the local FIN; the connection now "
		 "waits for the remote side to close its half.",
		 "The side that closed first (the active closer).",
		 "The peer application is not closing its side: it keeps its "
		 "socket open after reading the end of the data (the other end of "
		 "a CLOSE_WAIT), or it crashed and a firewall forgot the "
		 "connection. Linux drops them after net.ipv4.tcp_fin_timeout once "
		 "no process owns the local socket any more."},
		{"El lado remoto confirmó el FIN local; la conexión espera ahora "
		 "a que el lado remoto cierre su mitad.",
		 "El lado que cerró primero (el que cierra de forma activa).",
		 "La aplicación del otro extremo no cierra su lado: mantiene el "
		 "socket abierto después de leer el final de los datos (es la otra "
		 "cara de un CLOSE_WAIT), o se cayó y un cortafuegos olvidó la "
		 "conexión. Linux los elimina pasado net.ipv4.tcp_fin_timeout "
		 "cuando el socket local ya no pertenece a ningún proceso."},
	}},
	[SOCKSTATE_CLOSE_WAIT] = {SOCKSTATE_SIDE_PEER, {
		{"The remote side closed its half of the connection (its FIN "
		 "arrived); the connection waits for the local application to "
		 "close its socket.",
		 "The side that closes second (the passive closer).",
		 "A bug in the local application: it got end-of-file (or an "
		 "error) on these sockets and never closed them, a socket or file "
		 "descriptor leak. Fix the owning process: the kernel never times "
		 "this state out, so they stay until the process closes them or "
		 "exits."},
		{"El lado remoto cerró su mitad de la conexión (llegó su FIN); la "
		 "conexión espera a que la aplicación local cierre su socket.",
		 "El lado que cierra en segundo lugar (el que cierra de forma "
		 "pasiva).",
		 "Un error en la aplicación local: recibió fin de archivo (o un "
		 "error) en estos sockets y nunca los cerró, es decir, una fuga de "
		 "sockets o de descriptores. Hay que corregir el proceso "
		 "propietario: el núcleo no los elimina por tiempo, así que siguen "
		 "ahí hasta que el proceso los cierra o termina."},
	}},
	[SOCKSTATE_CLOSING] = {SOCKSTATE_SIDE_CLOSER, {
		{"Both sides closed at the same time: the local side sent its FIN "
		 "and received the remote FIN before its own was acknowledged.",
		 "A side that closed first; in a simultaneous close, usually both "
		 "ends.",
		 "Rare. Many of them point to protocols where both ends close at "
		 "once by design, or to ACKs lost on the way back to this host."},
		{"Ambos lados cerraron a la vez: el lado local envió su FIN y "
		 "recibió el FIN remoto antes de que le confirmaran el suyo.",
		 "Un lado que cerró primero; en un cierre simultáneo, normalmente "
		 "ambos extremos.",
		 "Es poco frecuente. Muchos indican protocolos en los que ambos "
		 "extremos cierran a la vez por diseño, o ACK que se pierden en el "
		 "camino de vuelta hacia este equipo."},
	}},
	[SOCKSTATE_LAST_ACK] = {SOCKSTATE_SIDE_PEER, {
		{"The remote side closed first and the local application has now "
		 "closed too; the local FIN is sent and the connection waits for "
		 "the final acknowledgement.",
		 "The side that closes second (the passive closer).",
		 "The peer went away before acknowledging the last FIN (it "
		 "crashed or reset, or a firewall or NAT dropped the connection's "
		 "state). They clear once the retransmissions time out."},
		{"El lado remoto cerró primero y la aplicación local también ha "
		 "cerrado; el FIN local está enviado y la conexión espera la "
		 "confirmación final.",
		 "El lado que cierra en segundo lugar (el que cierra de forma "
		 "pasiva).",
		 "El otro extremo se fue antes de confirmar el último FIN (se cayó "
		 "o envió un reset, o un cortafuegos o un NAT olvidó la conexión). "
		 "Desaparecen cuando se agotan las retransmisiones."},
	}},
	[SOCKSTATE_TIME_WAIT] = {SOCKSTATE_SIDE_CLOSER, {
		{"The connection is closed; the side that closed first keeps its "
		 "address and port pair reserved for a while (30 seconds to 4 "
		 "minutes depending on the system, 60 seconds on Linux) so late "
		 "packets of this connection cannot be taken for a new one.",
		 "The side that closed first (the active closer).",
		 "Normal on whichever side closes first, often a busy client or a "
		 "server that closes its connections. Tens of thousands toward one "
		 "destination put the ephemeral ports at risk (new connections "
		 "fail with \"Cannot assign requested address\"): prefer "
		 "keep-alive and connection reuse over a new connection per "
		 "request, or let the client close first."},
		{"La conexión está cerrada; el lado que cerró primero mantiene "
		 "reservado su par de direcciones y puertos durante un tiempo (de "
		 "30 segundos a 4 minutos según el sistema, 60 segundos en Linux) "
		 "para que los paquetes rezagados de esta conexión no se confundan "
		 "con los de una nueva.",
		 "El lado que cerró primero (el que cierra de forma activa).",
		 "Normal en el lado que cierra primero, a menudo un cliente con "
		 "mucho tráfico o un servidor que cierra sus conexiones. Decenas "
		 "de miles hacia un mismo destino ponen en riesgo los puertos "
		 "efímeros (las conexiones nuevas fallan con «Cannot assign "
		 "requested address»): mejor usar keep-alive y reutilizar "
		 "conexiones que abrir una nueva por cada petición, o dejar que "
		 "cierre primero el cliente."},
	}},
	[SOCKSTATE_DELETE_TCB] = {SOCKSTATE_SIDE_BOTH, {
		{"Windows only: the connection is over and the system is deleting "
		 "its transmission control block (TCB), the bookkeeping it kept "
		 "for the connection.",
		 "Either side, on Windows.",
		 "Normally fleeting. Many of them mean the system is tearing down "
		 "connections in bulk (a service stopping, a network change) or "
		 "is slow to release them under heavy load."},
		{"Solo en Windows: la conexión terminó y el sistema está borrando "
		 "su bloque de control de transmisión (TCB), los datos internos "
		 "que guardaba sobre ella.",
		 "Cualquiera de los dos lados, en Windows.",
		 "Normalmente es momentáneo. Muchos indican que el sistema está "
		 "cerrando conexiones en masa (un servicio que se detiene, un "
		 "cambio de red) o que tarda en liberarlas por una carga elevada."},
	}},
	[SOCKSTATE_BOUND] = {SOCKSTATE_SIDE_NONE, {
		{"The socket is bound to a local address and port but neither "
		 "listens nor is connected, for example between bind() and "
		 "listen() or connect(). Listed only when asked for by name.",
		 "No connection yet: only the local host sees it.",
		 "Ports reserved but unused: an application that binds and never "
		 "listens or connects, or bound sockets left behind by failed "
		 "connection attempts. They still hold the port, so another "
		 "program cannot bind it."},
		{"El socket está asociado (bind) a una dirección y un puerto "
		 "locales pero ni escucha ni está conectado, por ejemplo entre "
		 "bind() y listen() o connect(). Solo se lista si se pide por su "
		 "nombre.",
		 "Todavía no hay conexión: solo lo ve el equipo local.",
		 "Puertos reservados sin usar: una aplicación que hace bind y "
		 "nunca escucha ni conecta, o sockets asociados que quedaron tras "
		 "intentos de conexión fallidos. Siguen ocupando el puerto, así "
		 "que otro programa no puede asociarse a él."},
	}},
};

/* NULL, "", "C", "POSIX" and "en..." are English, "es..." Spanish; a
 * two-letter code may be followed by a locale's territory, codeset or
 * modifier ("es_ES.UTF-8", "en-US", "es@euro"), nothing else. */
static int lang_parse(const char *lang, enum lang *out)
{
	if (!lang || !*lang || strcmp(lang, "POSIX") == 0 ||
	    (lang[0] == 'C' && (lang[1] == '\0' || lang[1] == '.'))) {
		*out = LANG_EN;
		return 0;
	}
	char a = lang[0], b = lang[1];
	if (a >= 'A' && a <= 'Z')
		a = (char)(a - 'A' + 'a');
	if (b >= 'A' && b <= 'Z')
		b = (char)(b - 'A' + 'a');
	char next = b ? lang[2] : 'x';
	if (next != '\0' && next != '_' && next != '-' && next != '.' &&
	    next != '@')
		return SOCKSTATE_EINVAL;
	if (a == 'e' && b == 'n')
		*out = LANG_EN;
	else if (a == 'e' && b == 's')
		*out = LANG_ES;
	else
		return SOCKSTATE_EINVAL;
	return 0;
}

SOCKSTATE_API int sockstate_state_describe(sockstate_state s, const char *lang,
                                           sockstate_state_info *out)
{
	if (!out)
		return SOCKSTATE_EINVAL;
	memset(out, 0, sizeof *out);
	enum lang l;
	if ((unsigned)s >= SOCKSTATE_STATE_COUNT || lang_parse(lang, &l) != 0)
		return SOCKSTATE_EINVAL;

	const struct explanation *e = &explanations[s];
	out->state = s;
	out->side = e->side;
	out->name = sockstate_state_name(s);
	out->meaning = e->text[l].meaning;
	out->seen_by = e->text[l].seen_by;
	out->pile_means = e->text[l].pile_means;
	return 0;
}
