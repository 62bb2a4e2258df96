# bash completion for agentrt: commands, global and per-command flags, container ids from `agentrt list -q`.

_agentrt_global_flags="--root --log --log-format --debug --systemd-cgroup --profile --fs-write --fs-read --egress --criu --rootless --version --help"
_agentrt_commands="create start run state kill delete list exec ps pause resume events update spec features
checkpoint restore install uninstall"

_agentrt_command_flags() {
    local create="--bundle --console-socket --pid-file --no-pivot --no-new-keyring --preserve-fds"
    case $1 in
    create) echo "$create" ;;
    run) echo "$create --detach --keep" ;;
    kill) echo "--all" ;;
    delete) echo "--force" ;;
    list) echo "--format --quiet" ;;
    exec) echo "--process --env --user --additional-gids --cwd --tty --console-socket --detach --pid-file --cap
        --no-new-privs --preserve-fds --ignore-paused --apparmor --process-label" ;;
    ps) echo "--format" ;;
    events) echo "--interval --stats" ;;
    update) echo "--resources --memory --memory-swap --memory-reservation --kernel-memory --kernel-memory-tcp
        --cpu-shares --cpu-quota --cpu-period --cpu-rt-period --cpu-rt-runtime --cpuset-cpus --cpuset-mems
        --pids-limit --blkio-weight --cpu-idle --cpu-burst" ;;
    spec) echo "--bundle --rootless" ;;
    install) echo "--name --profile --config --dry-run" ;;
    uninstall) echo "--name --config --dry-run" ;;
    esac
}

# The ids of the containers under the --root given on this command line, if any.
_agentrt_ids() {
    local root=() i
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --root) root=(--root "${words[i + 1]}") ;;
        --root=*) root=(--root "${words[i]#--root=}") ;;
        esac
    done
    agentrt "${root[@]}" list -q 2>/dev/null
}

_agentrt() {
    local cur prev words cword
    _init_completion || return

    # The command is the first word that is not a global flag or a global flag's value.
    local i command="" command_at=0
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --root | --log | --log-format | --profile | --fs-write | --fs-read | --egress | --criu | --rootless) ((i++)) ;;
        -*) ;;
        *)
            command=${words[i]}
            command_at=$i
            break
            ;;
        esac
    done

    case $prev in
    --log-format)
        COMPREPLY=($(compgen -W "text json" -- "$cur"))
        return
        ;;
    --format | -f)
        # delete's -f is --force, a switch.
        if [[ $command != delete ]]; then
            COMPREPLY=($(compgen -W "table json" -- "$cur"))
            return
        fi
        ;;
    --profile)
        COMPREPLY=($(compgen -W "agent-default agent-locked agent-dev agent-nested off" -- "$cur"))
        return
        ;;
    --root | --bundle | -b | --cwd)
        _filedir -d
        return
        ;;
    --log | --pid-file | --console-socket | --process | -p | --resources | -r | --config | --criu)
        _filedir
        return
        ;;
    esac

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$_agentrt_global_flags" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$_agentrt_commands" -- "$cur"))
        fi
        return
    fi

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_agentrt_command_flags "$command")" -- "$cur"))
        return
    fi

    # The first positional after the command.
    local positionals=0
    for ((i = command_at + 1; i < cword; i++)); do [[ ${words[i]} == -* ]] || ((positionals++)); done
    case $command in
    install | uninstall)
        ((positionals == 0)) && COMPREPLY=($(compgen -W "docker podman containerd" -- "$cur"))
        ;;
    kill)
        if ((positionals == 0)); then
            COMPREPLY=($(compgen -W "$(_agentrt_ids)" -- "$cur"))
        elif ((positionals == 1)); then
            COMPREPLY=($(compgen -W "$(kill -l | tr -s '[:space:]' '\n' | grep '^SIG')" -- "$cur"))
        fi
        ;;
    start | state | delete | exec | ps | pause | resume | events | update)
        ((positionals == 0)) && COMPREPLY=($(compgen -W "$(_agentrt_ids)" -- "$cur"))
        ;;
    esac
}
complete -F _agentrt agentrt
