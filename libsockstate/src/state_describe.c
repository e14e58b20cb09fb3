/* state_describe.c - the one table of explanations, in English and
 * Spanish side by side, for people troubleshooting: every topic the
 * library explains has its rows here (the states, the TCP counters; the
 * findings of diagnose will join them), each row the same shape:
 *
 *   side     whose matter it is (a sockstate_side)
 *   meaning  what it is, one or two sentences
 *   who      which side sees it / whose events it counts, in words
 *   signal   what many of them (a state) or growth (a counter) usually
 *            means, and where to look
 *
 * A topic's rows lie together; topics[] says where. */
#include <string.h>

#include "sockstate.h"

enum lang { LANG_EN, LANG_ES, LANG_COUNT };

struct text {
	const char *meaning;
	const char *who;
	const char *signal;
};

struct explanation {
	sockstate_side side;
	struct text text[LANG_COUNT];
};

enum topic { TOPIC_STATE, TOPIC_COUNTER, TOPIC_COUNT };

#define STATE_ROW(s) (s)
#define COUNTER_ROW(c) (SOCKSTATE_STATE_COUNT + (c))
#define ROW_COUNT (SOCKSTATE_STATE_COUNT + SOCKSTATE_COUNTER_COUNT)

static const struct {
	size_t first, count;
} topics[TOPIC_COUNT] = {
	[TOPIC_STATE] = {STATE_ROW(0), SOCKSTATE_STATE_COUNT},
	[TOPIC_COUNTER] = {COUNTER_ROW(0), SOCKSTATE_COUNTER_COUNT},
};

static const struct explanation explanations[ROW_COUNT] = {
	/* ---- states: what each means, which side sees it, what a pile of
	 * sockets in it usually means ---- */
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
	/* ---- TCP counters: what each counts, whose events, what growth
	 * usually means ---- */
	[COUNTER_ROW(SOCKSTATE_COUNTER_ACTIVE_OPENS)] = {SOCKSTATE_SIDE_CLIENT, {
		{"Connections this host started: each connect() that sent a SYN "
		 "(a move from CLOSED to SYN_SENT).",
		 "The client (the active opener).",
		 "Normal wherever programs connect out: its rate is the rate of "
		 "new outgoing connections. A sudden jump is a client opening a "
		 "connection per request instead of reusing them, or a storm of "
		 "retries; attempt_fails tells how many of them failed."},
		{"Conexiones que inició este equipo: cada connect() que envió un "
		 "SYN (un paso de CLOSED a SYN_SENT).",
		 "El cliente (el extremo que abre de forma activa).",
		 "Normal allí donde los programas abren conexiones salientes: su "
		 "ritmo es el de las conexiones salientes nuevas. Un salto brusco "
		 "es un cliente que abre una conexión por petición en vez de "
		 "reutilizarlas, o una tormenta de reintentos; attempt_fails dice "
		 "cuántas fallaron."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_PASSIVE_OPENS)] = {SOCKSTATE_SIDE_SERVER, {
		{"Connections this host accepted on a listening socket: each "
		 "incoming handshake that left LISTEN for SYN_RECEIVED.",
		 "The server (the passive opener).",
		 "Normal on servers: its rate is the rate of new incoming "
		 "connections. Growth with no traffic behind it is a scan or a "
		 "flood of connection attempts; no growth on a server that should "
		 "be busy means clients do not reach it (firewall, routing, DNS)."},
		{"Conexiones que este equipo aceptó en un socket en escucha: cada "
		 "negociación entrante que pasó de LISTEN a SYN_RECEIVED.",
		 "El servidor (el extremo que abre de forma pasiva).",
		 "Normal en los servidores: su ritmo es el de las conexiones "
		 "entrantes nuevas. Si crece sin tráfico detrás es un escaneo o "
		 "una avalancha de intentos de conexión; si no crece en un "
		 "servidor que debería estar ocupado, los clientes no llegan "
		 "(cortafuegos, enrutamiento, DNS)."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ATTEMPT_FAILS)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connection attempts that failed before the connection was open: "
		 "SYN_SENT or SYN_RECEIVED went back to CLOSED (or to LISTEN), "
		 "usually because the other side answered with a reset.",
		 "Both sides: clients whose connections were refused, servers "
		 "whose half-open connections were reset.",
		 "On a client, refused connections: nothing listens on the remote "
		 "port, a firewall rejects them, or the service is down. Growing "
		 "together with active_opens, a client keeps retrying something "
		 "that is not there."},
		{"Intentos de conexión que fallaron antes de que la conexión "
		 "quedara abierta: SYN_SENT o SYN_RECEIVED volvió a CLOSED (o a "
		 "LISTEN), normalmente porque el otro lado respondió con un reset.",
		 "Ambos lados: clientes cuyas conexiones fueron rechazadas y "
		 "servidores cuyas conexiones a medio abrir recibieron un reset.",
		 "En un cliente, conexiones rechazadas: nada escucha en el puerto "
		 "remoto, un cortafuegos las rechaza o el servicio está caído. Si "
		 "crece junto con active_opens, un cliente reintenta una y otra "
		 "vez contra algo que no está."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ESTABLISHED_RESETS)] = {SOCKSTATE_SIDE_BOTH, {
		{"Open connections that ended abruptly: ESTABLISHED or CLOSE_WAIT "
		 "went straight to CLOSED, usually by a reset.",
		 "Both sides.",
		 "Connections cut in the middle: a peer or an application that "
		 "resets instead of closing (a crash, SO_LINGER set to zero), a "
		 "load balancer or firewall that forgets idle connections, or a "
		 "process killed with its connections open."},
		{"Conexiones abiertas que terminaron de golpe: ESTABLISHED o "
		 "CLOSE_WAIT pasó directamente a CLOSED, normalmente por un reset.",
		 "Ambos lados.",
		 "Conexiones cortadas a mitad: un extremo o una aplicación que "
		 "envía un reset en vez de cerrar (un fallo, SO_LINGER a cero), un "
		 "balanceador o un cortafuegos que olvida las conexiones "
		 "inactivas, o un proceso terminado con sus conexiones abiertas."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_RESETS_SENT)] = {SOCKSTATE_SIDE_BOTH, {
		{"TCP segments this host sent with the RST flag: refusals of "
		 "connections to ports where nothing listens, and connections it "
		 "aborted.",
		 "Both sides.",
		 "Steady growth usually means clients connect to a port where "
		 "nothing listens here (their attempt_fails grows), or "
		 "applications abort connections (see aborts_on_close). A burst "
		 "can be a port scan being answered."},
		{"Segmentos TCP que este equipo envió con el indicador RST: "
		 "rechazos de conexiones a puertos en los que nada escucha, y "
		 "conexiones que abortó.",
		 "Ambos lados.",
		 "Un crecimiento constante suele indicar clientes que conectan a "
		 "un puerto en el que aquí nada escucha (su attempt_fails crece), "
		 "o aplicaciones que abortan conexiones (vea aborts_on_close). Una "
		 "ráfaga puede ser la respuesta a un escaneo de puertos."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SEGMENTS_RECEIVED)] = {SOCKSTATE_SIDE_BOTH, {
		{"TCP segments received, those with errors included.",
		 "Both sides.",
		 "The volume of incoming TCP traffic: the base against which to "
		 "read bad_segments_received."},
		{"Segmentos TCP recibidos, incluidos los que llegaron con errores.",
		 "Ambos lados.",
		 "El volumen de tráfico TCP entrante: la base con la que leer "
		 "bad_segments_received."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SEGMENTS_SENT)] = {SOCKSTATE_SIDE_BOTH, {
		{"TCP segments sent (whether retransmissions count here too "
		 "depends on the system: see segments_retransmitted).",
		 "Both sides.",
		 "The volume of outgoing TCP traffic: the base against which to "
		 "read segments_retransmitted."},
		{"Segmentos TCP enviados (si las retransmisiones cuentan también "
		 "aquí depende del sistema: vea segments_retransmitted).",
		 "Ambos lados.",
		 "El volumen de tráfico TCP saliente: la base con la que leer "
		 "segments_retransmitted."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SEGMENTS_RETRANSMITTED)] = {SOCKSTATE_SIDE_BOTH, {
		{"TCP segments sent again because they were not acknowledged in "
		 "time or were reported lost.",
		 "Both sides (the sender of the lost data).",
		 "Packet loss or congestion on some path, or a peer too slow to "
		 "acknowledge. As a share of segments_sent, well under 1% is "
		 "usual and a few percent already hurts throughput and latency: "
		 "find the connections that retransmit (their sockets' "
		 "retransmit counts)."},
		{"Segmentos TCP enviados de nuevo porque no se confirmaron a "
		 "tiempo o se dieron por perdidos.",
		 "Ambos lados (el que envió los datos perdidos).",
		 "Pérdida de paquetes o congestión en algún camino, o un extremo "
		 "demasiado lento para confirmar. Respecto a segments_sent, muy "
		 "por debajo del 1% es lo habitual y unas pocas unidades por "
		 "ciento ya perjudican el rendimiento y la latencia: busque las "
		 "conexiones que retransmiten (los contadores de retransmisión "
		 "de sus sockets)."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_BAD_SEGMENTS_RECEIVED)] = {SOCKSTATE_SIDE_BOTH, {
		{"TCP segments received with errors: a bad checksum, a bad header "
		 "length, too short.",
		 "Both sides.",
		 "Corruption on the way in: a faulty network card, cable, driver "
		 "or checksum offload setting, or a broken middlebox. It should "
		 "stay at or near zero."},
		{"Segmentos TCP recibidos con errores: suma de comprobación "
		 "incorrecta, longitud de cabecera incorrecta, demasiado cortos.",
		 "Ambos lados.",
		 "Datos dañados a la entrada: una tarjeta de red, un cable, un "
		 "controlador o una descarga de sumas de comprobación defectuosos, "
		 "o un equipo intermedio averiado. Debería quedarse en cero o "
		 "cerca."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_TIMEOUTS)] = {SOCKSTATE_SIDE_BOTH, {
		{"Retransmission timeouts: times a connection waited for an "
		 "acknowledgement until its timer fired and it had to send again.",
		 "Both sides (the sender of the unacknowledged data).",
		 "Loss that fast recovery could not repair: whole windows lost, "
		 "or a peer gone silent. Each timeout stalls its connection for a "
		 "second or more, so growth shows as slow or hanging transfers."},
		{"Vencimientos del temporizador de retransmisión: veces que una "
		 "conexión esperó una confirmación hasta que venció su "
		 "temporizador y tuvo que enviar de nuevo.",
		 "Ambos lados (el que envió los datos sin confirmar).",
		 "Pérdidas que la recuperación rápida no pudo reparar: ventanas "
		 "enteras perdidas, o un extremo que dejó de responder. Cada "
		 "vencimiento detiene su conexión un segundo o más, así que el "
		 "crecimiento se nota como transferencias lentas o colgadas."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SYN_RETRANSMITS)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connection requests sent again: SYNs, and the SYN-ACKs that "
		 "answer them, retransmitted because the other side did not answer.",
		 "Both sides: clients repeat SYNs, servers repeat SYN-ACKs.",
		 "Peers that do not answer: a host down, a missing route, or a "
		 "firewall that silently drops SYNs (a closed port would refuse at "
		 "once). On a server, repeated SYN-ACKs mean the clients' final "
		 "ACKs do not arrive."},
		{"Solicitudes de conexión enviadas de nuevo: SYN, y los SYN-ACK "
		 "que los responden, retransmitidos porque el otro lado no "
		 "respondió.",
		 "Ambos lados: los clientes repiten los SYN y los servidores los "
		 "SYN-ACK.",
		 "Extremos que no responden: un equipo apagado, una ruta que "
		 "falta, o un cortafuegos que descarta los SYN sin avisar (un "
		 "puerto cerrado rechazaría al momento). En un servidor, los "
		 "SYN-ACK repetidos indican que no llegan los ACK finales de los "
		 "clientes."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_LISTEN_OVERFLOWS)] = {SOCKSTATE_SIDE_SERVER, {
		{"Times a completed connection found its listener's accept queue "
		 "full, so the connection was dropped (the client retries or "
		 "fails).",
		 "The server (the listening side).",
		 "The application accepts connections more slowly than they "
		 "arrive, or its listen backlog is too small (the listen() "
		 "argument, net.core.somaxconn). Clients see slow or failed "
		 "connects. Compare the listener's queue with its limit (rx_queue "
		 "and tx_queue of the LISTEN socket)."},
		{"Veces que una conexión ya negociada encontró llena la cola de "
		 "aceptación de su socket en escucha, así que se descartó (el "
		 "cliente reintenta o falla).",
		 "El servidor (el lado que escucha).",
		 "La aplicación acepta las conexiones más despacio de lo que "
		 "llegan, o su cola de escucha es demasiado pequeña (el argumento "
		 "de listen(), net.core.somaxconn). Los clientes ven conexiones "
		 "lentas o fallidas. Compare la cola del socket en escucha con su "
		 "límite (rx_queue y tx_queue del socket LISTEN)."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_LISTEN_DROPS)] = {SOCKSTATE_SIDE_SERVER, {
		{"Incoming connections a listening socket dropped for any reason; "
		 "listen_overflows are among them.",
		 "The server (the listening side).",
		 "Beyond listen_overflows: drops for lack of memory or of a route "
		 "back to the client, or connections to a listener that is going "
		 "away. When it grows faster than listen_overflows, look at memory "
		 "and routing rather than at the application."},
		{"Conexiones entrantes que un socket en escucha descartó por "
		 "cualquier motivo; listen_overflows está incluido.",
		 "El servidor (el lado que escucha).",
		 "Además de listen_overflows: descartes por falta de memoria o de "
		 "una ruta de vuelta al cliente, o conexiones hacia un socket en "
		 "escucha que se está cerrando. Si crece más deprisa que "
		 "listen_overflows, mire la memoria y el enrutamiento antes que "
		 "la aplicación."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_REQUEST_QUEUE_FULL_DROPS)] = {SOCKSTATE_SIDE_SERVER, {
		{"SYNs dropped because the queue of half-open connections was "
		 "full and SYN cookies were off.",
		 "The server (the listening side).",
		 "A SYN flood, or a burst of clients larger than the SYN backlog "
		 "(net.ipv4.tcp_max_syn_backlog). With SYN cookies on, these "
		 "SYNs are answered with cookies instead of dropped."},
		{"SYN descartados porque la cola de conexiones a medio abrir "
		 "estaba llena y las SYN cookies estaban desactivadas.",
		 "El servidor (el lado que escucha).",
		 "Una inundación de SYN, o una ráfaga de clientes mayor que la "
		 "cola de SYN (net.ipv4.tcp_max_syn_backlog). Con las SYN cookies "
		 "activadas, estos SYN se responden con cookies en vez de "
		 "descartarse."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SYNCOOKIES_SENT)] = {SOCKSTATE_SIDE_SERVER, {
		{"SYN cookies sent: the queue of half-open connections was full, "
		 "so the server answered a SYN without keeping any state for it.",
		 "The server (the listening side).",
		 "A SYN flood, or a listener whose SYN queue cannot keep up with "
		 "real clients. Connections still open, but may lose TCP options "
		 "(window scaling, SACK) and perform worse."},
		{"SYN cookies enviadas: la cola de conexiones a medio abrir estaba "
		 "llena, así que el servidor respondió a un SYN sin guardar estado "
		 "para él.",
		 "El servidor (el lado que escucha).",
		 "Una inundación de SYN, o un socket en escucha cuya cola de SYN "
		 "no da abasto con los clientes reales. Las conexiones se siguen "
		 "abriendo, pero pueden perder opciones de TCP (escalado de "
		 "ventana, SACK) y rendir menos."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SYNCOOKIES_RECEIVED)] = {SOCKSTATE_SIDE_SERVER, {
		{"Valid SYN cookies that came back in clients' ACKs, each one "
		 "completing a connection.",
		 "The server (the listening side).",
		 "Real clients completing handshakes while cookies are in use: "
		 "the SYN queue overflows under legitimate load, not only under a "
		 "flood. Raise the backlog or accept faster."},
		{"SYN cookies válidas que volvieron en los ACK de los clientes, "
		 "cada una completando una conexión.",
		 "El servidor (el lado que escucha).",
		 "Clientes reales que completan la negociación mientras se usan "
		 "cookies: la cola de SYN se desborda con carga legítima, no solo "
		 "con una inundación. Aumente la cola o acepte más deprisa."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_SYNCOOKIES_FAILED)] = {SOCKSTATE_SIDE_SERVER, {
		{"ACKs whose SYN cookie did not check out.",
		 "The server (the listening side).",
		 "Stale or forged ACKs: usually part of an attack, or very late "
		 "packets. A few are normal while cookies are in use."},
		{"ACK cuya SYN cookie no resultó válida.",
		 "El servidor (el lado que escucha).",
		 "ACK caducados o falsificados: normalmente parte de un ataque, o "
		 "paquetes muy retrasados. Unos pocos son normales mientras se "
		 "usan cookies."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ABORTS_ON_TIMEOUT)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connections given up because a timer ran out: retransmissions, "
		 "zero-window probes or keepalives went unanswered too many times.",
		 "Both sides.",
		 "Peers that vanished (crashed, unplugged, or behind a NAT or "
		 "firewall that forgot the connection), or a path that stopped "
		 "working. Applications see \"connection timed out\" (ETIMEDOUT)."},
		{"Conexiones abandonadas porque venció un temporizador: las "
		 "retransmisiones, las sondas de ventana cero o los keepalive "
		 "quedaron sin respuesta demasiadas veces.",
		 "Ambos lados.",
		 "Extremos que desaparecieron (caídos, desconectados, o tras un "
		 "NAT o un cortafuegos que olvidó la conexión), o un camino que "
		 "dejó de funcionar. Las aplicaciones ven «connection timed out» "
		 "(ETIMEDOUT)."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ABORTS_ON_DATA)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connections reset because data arrived after the application had "
		 "closed its socket, or because it closed with SO_LINGER set to "
		 "zero.",
		 "Both sides.",
		 "A peer that keeps sending after this side closed (a protocol "
		 "mismatch), or an application that resets its connections on "
		 "purpose. A steady rate points at one misbehaving client or "
		 "server."},
		{"Conexiones cerradas con un reset porque llegaron datos después "
		 "de que la aplicación cerrara su socket, o porque lo cerró con "
		 "SO_LINGER a cero.",
		 "Ambos lados.",
		 "Un extremo que sigue enviando después de que este lado cerró "
		 "(protocolos que no se entienden), o una aplicación que corta "
		 "sus conexiones a propósito. Un ritmo constante apunta a un "
		 "cliente o servidor concreto que se porta mal."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ABORTS_ON_CLOSE)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connections reset because the application closed its socket "
		 "with received data still unread.",
		 "Both sides.",
		 "An application that does not read all it was sent before "
		 "closing (for example the rest of a request): its peer gets a "
		 "reset instead of a normal close and reports \"connection reset "
		 "by peer\"."},
		{"Conexiones cerradas con un reset porque la aplicación cerró su "
		 "socket con datos recibidos aún sin leer.",
		 "Ambos lados.",
		 "Una aplicación que no lee todo lo que le enviaron antes de "
		 "cerrar (por ejemplo el resto de una petición): el otro extremo "
		 "recibe un reset en vez de un cierre normal e informa de "
		 "«connection reset by peer»."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_ABORTS_ON_MEMORY)] = {SOCKSTATE_SIDE_BOTH, {
		{"Connections reset because TCP was short of memory, or had too "
		 "many orphaned sockets (closed by their application but not yet "
		 "finished).",
		 "Both sides.",
		 "Memory pressure in the TCP stack. Before raising "
		 "net.ipv4.tcp_mem or tcp_max_orphans, find out why so many "
		 "sockets pile up (often FIN_WAIT states, or a flood)."},
		{"Conexiones cerradas con un reset porque a TCP le faltaba "
		 "memoria, o tenía demasiados sockets huérfanos (cerrados por su "
		 "aplicación pero aún sin terminar).",
		 "Ambos lados.",
		 "Presión de memoria en la pila TCP. Antes de aumentar "
		 "net.ipv4.tcp_mem o tcp_max_orphans, averigüe por qué se "
		 "acumulan tantos sockets (a menudo en estados FIN_WAIT, o por "
		 "una inundación)."},
	}},
	[COUNTER_ROW(SOCKSTATE_COUNTER_TIME_WAIT_OVERFLOWS)] = {SOCKSTATE_SIDE_CLOSER, {
		{"Connections that skipped TIME_WAIT because the table of TIME_WAIT "
		 "sockets was full (net.ipv4.tcp_max_tw_buckets).",
		 "The side that closes first (the active closer).",
		 "Very many short connections closed by this host; late packets "
		 "of old connections may now be taken for new ones. Reuse "
		 "connections (keep-alive), or let the peer close first, rather "
		 "than raising the limit."},
		{"Conexiones que se saltaron TIME_WAIT porque la tabla de sockets "
		 "en TIME_WAIT estaba llena (net.ipv4.tcp_max_tw_buckets).",
		 "El lado que cierra primero (el que cierra de forma activa).",
		 "Muchísimas conexiones cortas cerradas por este equipo; los "
		 "paquetes rezagados de conexiones viejas pueden confundirse ahora "
		 "con los de otras nuevas. Reutilice las conexiones (keep-alive) o "
		 "deje que cierre primero el otro extremo, en vez de subir el "
		 "límite."},
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

/* The row of id in topic, and lang parsed; NULL when either is unknown. */
static const struct explanation *explanation_of(enum topic topic, unsigned id,
                                                const char *lang, enum lang *l)
{
	if (id >= topics[topic].count || lang_parse(lang, l) != 0)
		return NULL;
	return &explanations[topics[topic].first + id];
}

SOCKSTATE_API int sockstate_state_describe(sockstate_state s, const char *lang,
                                           sockstate_state_info *out)
{
	if (!out)
		return SOCKSTATE_EINVAL;
	memset(out, 0, sizeof *out);
	enum lang l;
	const struct explanation *e = explanation_of(TOPIC_STATE, (unsigned)s, lang, &l);
	if (!e)
		return SOCKSTATE_EINVAL;

	out->state = s;
	out->side = e->side;
	out->name = sockstate_state_name(s);
	out->meaning = e->text[l].meaning;
	out->seen_by = e->text[l].who;
	out->pile_means = e->text[l].signal;
	return 0;
}

SOCKSTATE_API int sockstate_counter_describe(sockstate_counter c, const char *lang,
                                             sockstate_counter_info *out)
{
	if (!out)
		return SOCKSTATE_EINVAL;
	memset(out, 0, sizeof *out);
	enum lang l;
	const struct explanation *e = explanation_of(TOPIC_COUNTER, (unsigned)c, lang, &l);
	if (!e)
		return SOCKSTATE_EINVAL;

	out->counter = c;
	out->side = e->side;
	out->name = sockstate_counter_name(c);
	out->meaning = e->text[l].meaning;
	out->counted_by = e->text[l].who;
	out->growth_means = e->text[l].signal;
	return 0;
}
